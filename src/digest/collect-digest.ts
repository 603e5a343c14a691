/** Reads a digest's sessions from Enterprise Manager (one filtered query, every page) and summarises them. */
import { type DigestPeriod, toDigestWindow } from '../core/digest/digest-window.js';
import {
  type Digest,
  type DigestFilters,
  NO_DIGEST_FILTERS,
  type SummarizeDigestOptions,
  summarizeDigest,
} from '../core/digest/summarize-digest.js';
import { and, cmp, eq } from '../core/filter.js';
import type { EmApi } from '../core/ports.js';
import type { ReplicaTaskSession } from '../core/sessions.js';

export interface CollectDigestOptions extends SummarizeDigestOptions {
  period: DigestPeriod;
  /** the end of the period: the scheduled time, or now for a preview */
  end: Date;
  timeZone: string;
  filters?: DigestFilters;
}

export async function collectDigest(em: EmApi, options: CollectDigestOptions): Promise<Digest> {
  const window = toDigestWindow(options.period, options.end, options.timeZone);
  const filters = options.filters ?? NO_DIGEST_FILTERS;
  // the job and server filters go to EM so a big estate sends only what the digest shows; summarizeDigest
  // applies them again, which keeps its output right whatever EM's matching rules are
  const filter = and(
    cmp('CreationTime', '>=', window.fetchStart),
    cmp('CreationTime', '<', window.end),
    filters.jobName === null ? null : eq('JobName', filters.jobName),
    filters.serverName === null ? null : eq('BackupServerName', filters.serverName),
  );
  const sessions: ReplicaTaskSession[] = [];
  for await (const session of em.queryTaskSessions({
    filter,
    sort: { field: 'CreationTime', direction: 'asc' },
  }))
    sessions.push(session);
  return summarizeDigest(sessions, window, filters, options);
}
