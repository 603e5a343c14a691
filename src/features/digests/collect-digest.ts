/** Reads a digest's sessions from Enterprise Manager (one filtered query, every page) and summarises them. */
import { checkFilterNames, type UnknownName } from '../../answers/domain/check-names.js';
import { and, cmp, eq } from '../../core/filter.js';
import type { EmApi } from '../../core/ports.js';
import type { ReplicaTaskSession } from '../../core/sessions.js';
import { type DigestPeriod, toDigestWindow } from './domain/digest-window.js';
import {
  type Digest,
  type DigestFilters,
  NO_DIGEST_FILTERS,
  type SummarizeDigestOptions,
  summarizeDigest,
} from './domain/summarize-digest.js';

export interface CollectDigestOptions extends SummarizeDigestOptions {
  period: DigestPeriod;
  /** the end of the period: the scheduled time, or now for a preview */
  end: Date;
  timeZone: string;
  filters?: DigestFilters;
}

/** A digest, and when it is empty, the job or server filter names EM has never seen. */
export interface CollectedDigest extends Digest {
  /** set only on an empty digest whose job or server filter names something EM has no session for */
  unknownNames?: UnknownName[];
}

export async function collectDigest(em: EmApi, options: CollectDigestOptions): Promise<CollectedDigest> {
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
  const digest = summarizeDigest(sessions, window, filters, options);
  if (sessions.length > 0 || (filters.jobName === null && filters.serverName === null)) return digest;
  // An empty digest for a mistyped job or server reads like an all-clear; say which name EM does not know.
  try {
    const unknownNames = await checkFilterNames(em, filters, options.end);
    return unknownNames.length === 0 ? digest : { ...digest, unknownNames };
  } catch {
    // the digest itself was read; a warning EM cannot check right now must not hold it back
    return digest;
  }
}
