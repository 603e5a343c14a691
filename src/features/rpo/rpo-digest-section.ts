/**
 * The digest's RPO section for one digest: the watch of the digest's kind (a `backups` digest shows the backup
 * watch), only the VMs and jobs its `job` and `server` options show, and the VMs that left protection past the
 * grace period that this digest shows and no digest has named yet ("no longer replicated" / "no longer backed
 * up", said once: marked said only by the digest that names them). Null before the watch has looked at EM for
 * that kind (no EM reads for a digest otherwise).
 */
import type { DigestSectionFilters } from '../../app/feature.js';
import type { Clock } from '../../core/clock.js';
import { escapeMrkdwn } from '../../slack/mrkdwn.js';
import { matchesName } from '../alerts/domain/subscription-filter.js';
import type { RpoService } from './rpo-service.js';
import type { RpoStore } from './rpo-store.js';
import { renderRpoDigestSection } from './text/render-rpo-summary.js';

export async function renderRpoDigestFor(
  deps: { store: RpoStore; service: Pick<RpoService, 'current'>; clock: Clock; graceMs: number },
  filters?: DigestSectionFilters,
): Promise<string | null> {
  const kind = filters?.kind ?? 'replication';
  if ((await deps.store.vms.all(kind)).length === 0) return null;
  const jobName = filters?.jobName ?? null;
  const serverName = filters?.serverName ?? null;
  const shows = (vm: { jobName: string; serverName: string | null }) =>
    matchesName(jobName, vm.jobName) && matchesName(serverName, vm.serverName);
  const full = await deps.service.current(kind);
  const verdict = {
    ...full,
    vms: full.vms.filter(shows),
    jobs: full.jobs.filter(
      (job) => matchesName(jobName, job.jobName) && matchesName(serverName, job.serverName),
    ),
  };
  const now = deps.clock.now();
  const gone = await deps.store.vms.takeNewlyGone(
    new Date(now.getTime() - deps.graceMs),
    now,
    (vm) => vm.kind === kind && shows(vm),
  );
  return renderRpoDigestSection(verdict, gone, escapeMrkdwn);
}
