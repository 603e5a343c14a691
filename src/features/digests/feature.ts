/**
 * Digests as a feature of the composition root (src/main.ts FEATURES): in Slack mode the store, the scheduler
 * service, `/replicas digest ...` and `/replicas digests`, and a line in App Home; in the terminal chat a `digest`
 * command that prints one.
 */
import type { Feature, FeatureContext } from '../../app/feature.js';
import { isTimeZone } from '../../config.js';
import { toSlackOnlyCommand } from '../../shell/shell.js';
import { collectDigest } from './collect-digest.js';
import { createDigestScheduler } from './digest-scheduler.js';
import { createDigestStore } from './digest-store.js';
import { parseDigestCommand } from './domain/digest-schedule.js';
import { createDigestSubcommands } from './slack/digest-subcommands.js';
import {
  completeDigestChart,
  findPostedDigest,
  isPermanentDigestError,
  postDigest,
} from './slack/post-digest.js';
import { renderDigestHomeBlocks } from './slack/render-digest-home.js';
import { renderDigestText } from './text/render-digest-text.js';

/** What the terminal offers instead of scheduled digests. */
const TERMINAL_DIGESTS =
  'Here, `digest daily` or `digest weekly` prints one now, and `replibot digest` prints one from a script or cron job.';

export async function createDigestFeature(ctx: FeatureContext): Promise<Feature> {
  const { config, clock, em } = ctx;
  const logger = ctx.logger.child({ component: 'digests' });

  const shellCommands: Feature['shellCommands'] = [
    {
      name: 'digest',
      usage: 'digest [daily|weekly] [backups] [job <name>] [server <name>] [failed-only]',
      description: 'Print the digest of the last day (or week) as a channel would get it.',
      async run(args, shellCtx) {
        // `digest daily 08:00`, `digest off 2`: a schedule, which posts to a channel
        const asSchedule = parseDigestCommand(args, { defaultTimeZone: shellCtx.timeZone, isTimeZone });
        if (
          asSchedule.kind === 'list' ||
          asSchedule.kind === 'off' ||
          (asSchedule.kind === 'add' && /\d{1,2}[:.]\d{2}|\d\s*[ap]m\b/i.test(args))
        ) {
          shellCtx.print(
            `Scheduled digests post to a Slack channel: /replicas digest ${args.trim()} there. ${TERMINAL_DIGESTS}`,
          );
          return;
        }
        const command = parseDigestCommand(`now ${args}`, { defaultTimeZone: shellCtx.timeZone, isTimeZone });
        if (command.kind !== 'preview') {
          const why = command.kind === 'invalid' ? `${command.error}\n` : '';
          shellCtx.print(
            `${why}Usage: digest [daily|weekly] [backups] [job <name>] [server <name>] [failed-only] [tz <zone>]`,
          );
          return;
        }
        const digest = await collectDigest(shellCtx.em, {
          period: command.period,
          end: clock.now(),
          timeZone: command.timeZone,
          filters: command.filters,
          concurrency: config.veeam?.concurrency,
        });
        shellCtx.print(renderDigestText(digest).trimEnd());
      },
    },
    toSlackOnlyCommand({ name: 'digests', usage: 'digests' }, TERMINAL_DIGESTS),
  ];
  if (ctx.mode !== 'slack' || ctx.slackClient === undefined) return { name: 'digests', shellCommands };

  const slackClient = ctx.slackClient;
  const digests = createDigestStore(ctx.db);
  const scheduler = createDigestScheduler({
    store: digests,
    em,
    clock,
    logger,
    graceMinutes: config.digestGraceMinutes,
    fence: ctx.fence,
    metrics: ctx.metrics,
    concurrency: config.veeam?.concurrency,
    isPermanentError: isPermanentDigestError,
    send: async (schedule, digest, options) => {
      const extraSections = await (ctx.digestSections?.collect(digest.window, digest.filters) ??
        Promise.resolve([]));
      const posted = await postDigest(slackClient, schedule.channelId, digest, {
        ...options,
        logger,
        extraSections,
      });
      return {
        ts: posted.ts,
        note: posted.chartError === null ? null : `chart not uploaded: ${posted.chartError}`,
      };
    },
    recovery: {
      findPosted: (schedule, key, since) => findPostedDigest(slackClient, schedule.channelId, key, since),
      completeChart: async (schedule, digest, ts) => {
        const chart = await completeDigestChart(slackClient, schedule.channelId, ts, digest, { logger });
        return { note: chart.chartError === null ? null : `chart not uploaded: ${chart.chartError}` };
      },
    },
  });

  return {
    name: 'digests',
    subcommands: createDigestSubcommands({
      store: digests,
      em,
      clock,
      isTimeZone,
      scheduler,
      adminUserIds: config.adminUserIds,
      concurrency: config.veeam?.concurrency,
    }),
    leaderServices: [
      {
        name: 'digest-scheduler',
        start: () => scheduler.start(),
        stop: async () => {
          await scheduler.stop();
        },
      },
    ],
    homeExtras: async () => renderDigestHomeBlocks(await digests.schedules.list()),
  };
}
