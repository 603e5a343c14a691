/**
 * The RPO watch as a feature (docs/rpo.md): the leader service that evaluates every RPO_EVALUATE_MINUTES and
 * queues RPO alerts into the alerts' outbox, `/replicas subscribe rpo ...` and `/replicas rpo`, the App Home
 * count, `/healthz` and, in the terminal, `rpo`.
 */
import type { KnownBlock } from '@slack/types';
import type { Feature, FeatureContext } from '../../app/feature.js';
import { parseRpoQuestion } from '../../question/rpo-words.js';
import { toSlackOnlyCommand, toSlackOnlyText } from '../../shell/shell.js';
import { createAlertStore } from '../alerts/alert-store.js';
import { answerRpoQuestion } from './answer-rpo.js';
import { renderRpoDigestFor } from './rpo-digest-section.js';
import { createRpoService, type RpoService } from './rpo-service.js';
import { createRpoStore, type RpoStore } from './rpo-store.js';
import { createRpoSubcommands, toRpoStatusKind } from './slack/rpo-subcommands.js';
import { renderRpoCountOf, renderRpoSummaryText } from './text/render-rpo-summary.js';

/** The pseudo channel the terminal chat subscribes with (as the alerts' one). */
const TERMINAL_CHANNEL = 'terminal';

export async function createRpoFeature(
  ctx: FeatureContext,
): Promise<Feature & { rpo: RpoService; rpoStore: RpoStore }> {
  const { config, clock, logger } = ctx;
  const store = createRpoStore(ctx.db);
  const alertStore = createAlertStore(ctx.db);
  const policy = { defaultMs: config.rpo.defaultMs, graceMs: config.rpo.goneGraceMs };
  const service = createRpoService({
    em: ctx.em,
    store,
    alertStore,
    clock,
    logger: logger.child({ component: 'rpo' }),
    policy,
    lookbackMs: config.rpo.lookbackDays * 86_400_000,
    intervalMs: config.rpo.evaluateMinutes * 60_000,
    timeZone: config.defaultTimeZone,
    fence: ctx.fence,
    // the job actions' buttons (Start now, Stop, Pause/Resume schedule), for the channel everyone reads
    ...(ctx.jobButtons
      ? {
          jobButtons: (alert) =>
            ctx.jobButtons?.buttonsFor(
              { name: alert.jobName, serverName: alert.serverName },
              { channelId: alert.channelId },
            ) ?? Promise.resolve([]),
        }
      : {}),
  });
  if (ctx.mode === 'shell' && (await store.subscriptions.list(TERMINAL_CHANNEL)).length === 0) {
    // the terminal watches both kinds at RPO_DEFAULT, as its failure alerts print both
    for (const kind of ['replication', 'backup'] as const) {
      await store.subscriptions.add(
        {
          channelId: TERMINAL_CHANNEL,
          rpoMs: null,
          job: null,
          vm: null,
          server: null,
          createdBy: 'terminal',
          ...(kind === 'backup' ? { kind } : {}),
        },
        clock.now(),
      );
    }
  }
  ctx.digestSections?.add((_period, filters) =>
    renderRpoDigestFor({ store, service, clock, graceMs: policy.graceMs }, filters),
  );
  const subcommands = createRpoSubcommands({
    store,
    service,
    clock,
    adminUserIds: config.adminUserIds,
    defaultMs: policy.defaultMs,
    timeZone: config.defaultTimeZone,
  });
  return {
    name: 'rpo',
    // not `service`: tests find the alerts' service by that name
    rpo: service,
    rpoStore: store,
    subcommands,
    leaderServices: [service],
    answer: async (question, asker) => {
      const parsed = parseRpoQuestion(question);
      if (parsed === null) return null;
      return answerRpoQuestion(parsed, await service.current(parsed.of ?? 'replication'), asker.timeZone);
    },
    health: () => {
      const h = service.health();
      return {
        ok: true,
        checks: {
          lastEvaluation: h.lastEvaluationAt?.toISOString() ?? null,
          lastError: h.lastError,
          vmsOutsideRpo: h.vmsOutside,
          vmsWatched: h.vmsWatched,
          backupsOutsideRpo: h.backupsOutside,
          backupsWatched: h.backupsWatched,
        },
      };
    },
    homeExtras: async (): Promise<KnownBlock[]> => {
      const h = service.health();
      if (h.lastEvaluationAt === null) return [];
      const lines: string[] = [];
      const replicas = h.counts.replication;
      if (replicas)
        lines.push(
          `*RPO watch:* ${renderRpoCountOf(replicas, 'replication')}${replicas.vmsOutside > 0 ? ` · ${replicas.vmsOutside} outside (\`/replicas rpo\`)` : ''}`,
        );
      const backups = h.counts.backup;
      if (backups)
        lines.push(
          `*Backup RPO:* ${renderRpoCountOf(backups, 'backup', { sayKind: false })}${backups.vmsOutside > 0 ? ` · ${backups.vmsOutside} outside (\`/replicas rpo backups\`)` : ''}`,
        );
      if (lines.length === 0) return [];
      return [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }];
    },
    shellCommands: [
      {
        name: 'rpo',
        usage: 'rpo [replicas | backups]',
        description: 'Which VMs are outside their RPO (replicas, or backups), and jobs that stopped running.',
        async run(args, shellCtx) {
          const of = toRpoStatusKind(args);
          if (of === null) {
            const here =
              'Here, type "rpo" (or "rpo backups"): which VMs are outside their RPO, and jobs that stopped running.';
            // `rpo subscriptions`, `rpo unsubscribe 1`: the Slack subcommand, never the status with the words ignored
            const slack = subcommands.find((s) => s.name === 'rpo');
            shellCtx.print(
              /^(subscriptions|unsubscribe)\b/i.test(args.trim())
                ? toSlackOnlyText(`rpo ${args}`, slack?.usage ?? 'rpo', here)
                : `I did not understand "rpo ${args.trim()}". ${here}`,
            );
            return;
          }
          const verdict = await service.current(of);
          shellCtx.print(renderRpoSummaryText(verdict, { timeZone: shellCtx.timeZone, limit: 30 }));
        },
      },
      ...subcommands
        .filter((s) => s.name !== 'rpo')
        .map((s) => toSlackOnlyCommand(s, 'In the terminal, RPO alerts print here with RPO_DEFAULT.')),
    ],
  };
}
