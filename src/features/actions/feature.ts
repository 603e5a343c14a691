/**
 * Job actions as a feature of the composition root: retry, start (sync), stop, pause and resume jobs from Slack,
 * confirmed, allowed (ACTION_USER_IDS) and audited. Off unless VEEAM_ACTION_USERNAME and ACTION_USER_IDS are set:
 * without them no button is shown and the commands say how to set it up. Never offered: replica failover,
 * failover plans, restores, job edits or deletes (docs/slack.md, "Job actions").
 */
import { randomBytes } from 'node:crypto';
import type { Feature, FeatureContext, FeatureFactory } from '../../app/feature.js';
import { allActionUsers, namedGroups } from '../../core/action-permissions.js';
import type { EmJobActionsApi } from '../../core/ports.js';
import { toSlackOnlyCommand } from '../../shell/shell.js';
import { toAccessPolicy } from '../../slack/access.js';
import { createEmActionsClient } from '../../veeam/em-actions-client.js';
import { createAlertStore } from '../alerts/alert-store.js';
import { type ActionService, createActionService } from './action-service.js';
import { createActionStore } from './action-store.js';
import { toActionSigningKey } from './slack/action-value.js';
import { createJobActionSlack, type JobActionSlack } from './slack/job-action-slack.js';

export interface ActionsFeatureOptions {
  /** pauses between reads of a task and of a run (tests make them short) */
  taskPollMs?: number;
  runPollMs?: number;
  /** how often to look for actions nobody follows (tests: 0, they call `resume`) */
  resumeEveryMs?: number;
  /** this instance's name as the follower of an action (default: random per process) */
  instanceId?: string;
  /** a follower quiet for this long is taken over (default 3 minutes; tests: 0) */
  quietMs?: number;
}

const GROUP_CACHE_MS = 5 * 60_000;

export function createActionsFeatureFactory(options: ActionsFeatureOptions = {}): FeatureFactory {
  return (ctx) => createActionsFeature(ctx, options);
}

export function createActionsFeature(
  ctx: FeatureContext,
  options: ActionsFeatureOptions = {},
): Feature & { slack: JobActionSlack; actionService: ActionService | undefined } {
  const { config, clock, logger } = ctx;
  const store = createActionStore(ctx.db);
  const alerts = createAlertStore(ctx.db);
  const url = config.veeam?.url ?? ctx.simulator?.url;
  let actions: EmJobActionsApi | undefined;
  if (config.actions && url !== undefined) {
    actions = createEmActionsClient({
      url,
      username: config.actions.username,
      password: config.actions.password,
      caFile: config.veeam?.caFile,
      ...(config.veeam?.caPem ? { caPem: config.veeam.caPem } : {}),
      insecureTls: config.veeam?.insecureTls ?? false,
      format: config.veeam?.format ?? 'xml',
      timeoutMs: config.veeam?.timeoutMs ?? 30_000,
      logger,
    });
  }
  const permissions = config.actions?.permissions ?? {
    retry: [],
    start: [],
    stop: [],
    pause: [],
    resume: [],
  };
  const groups = namedGroups(permissions);
  const groupCache = new Map<string, { at: number; members: string[] }>();
  const memberOf = async (userId: string): Promise<string[]> => {
    const client = ctx.slackClient;
    if (!client || groups.length === 0) return [];
    const inGroups: string[] = [];
    for (const group of groups) {
      let cached = groupCache.get(group);
      if (!cached || clock.now().getTime() - cached.at > GROUP_CACHE_MS) {
        const answer = await client.usergroups.users.list({ usergroup: group }).catch(() => null);
        cached = { at: clock.now().getTime(), members: answer?.users ?? [] };
        groupCache.set(group, cached);
      }
      if (cached.members.includes(userId)) inGroups.push(group);
    }
    return inGroups;
  };
  let slack: JobActionSlack | undefined;
  const service =
    actions && config.actions
      ? createActionService({
          actions,
          reader: ctx.em,
          store,
          permissions,
          memberOf,
          clock,
          logger,
          followHours: config.actions.followHours,
          ...(options.taskPollMs === undefined ? {} : { taskPollMs: options.taskPollMs }),
          ...(options.runPollMs === undefined ? {} : { runPollMs: options.runPollMs }),
          ...(options.resumeEveryMs === undefined ? {} : { resumeEveryMs: options.resumeEveryMs }),
          ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
          ...(options.quietMs === undefined ? {} : { quietMs: options.quietMs }),
          onOutcome: async (row, job) => slack?.onOutcome(row, job),
        })
      : undefined;
  const auditReaders =
    config.adminUserIds.length > 0
      ? config.adminUserIds
      : allActionUsers(permissions).filter((id) => !id.startsWith('S'));
  slack = createJobActionSlack({
    service,
    actions,
    reader: ctx.em,
    store,
    alerts,
    permissions,
    auditReaders,
    access: toAccessPolicy(config),
    // a restart with neither secret nor token cannot happen in Slack mode; the random key is for the terminal
    signingKey: toActionSigningKey(config.slack) ?? randomBytes(32).toString('hex'),
    clock,
    logger,
    timeZone: config.defaultTimeZone,
    client: ctx.slackClient,
  });
  ctx.alertDecorations?.use((alert) => slack.decorate(alert));
  // RPO alerts and answers that show one job: Start now (Sync now), Stop, Pause/Resume schedule
  if (ctx.mode === 'slack') ctx.jobButtons?.use((job, where) => slack.buttonsForJob(job, where));
  return {
    name: 'actions',
    slack,
    actionService: service,
    subcommands: ctx.mode === 'slack' ? slack.subcommands : [],
    extend: (app) => slack.register(app),
    // the terminal never acts on jobs: every action is confirmed, allowed and audited in Slack
    shellCommands: slack.subcommands.map((s) =>
      toSlackOnlyCommand(s, 'Job actions are confirmed, allowed per user and audited in Slack only.'),
    ),
    services: [
      {
        name: 'job actions',
        // actions another process followed (before a restart, or an instance that went away) are taken over
        start: async () => service?.start(),
        stop: async () => {
          await service?.stop();
          await actions?.close();
        },
      },
    ],
  };
}
