/**
 * The Slack side of job actions: the buttons (one registered `action_id` per action, each behind a `confirm`
 * dialog, so a click that reaches us is the confirmation), the `/replicas retry|start|stop|pause|resume`
 * commands (they answer with the job and its confirm button: nothing reaches EM from the command itself), the
 * lines and Retry button on failure alerts, and the outcome in the alert's thread.
 *
 * Button values are not trusted: each is signed and names its channel (action-value.ts), an alert's button acts
 * only in the alert's channel and only on the alert's job; a value that fails any check is refused and audited.
 */
import type { App } from '@slack/bolt';
import type { Button, KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { JobButtonsWhere, JobRef } from '../../../app/job-buttons.js';
import { type ActionPermissions, hasAnyActionUser } from '../../../core/action-permissions.js';
import type { Clock } from '../../../core/clock.js';
import { ReplibotError } from '../../../core/errors.js';
import { eq } from '../../../core/filter.js';
import {
  describeJobAction,
  type EmJob,
  JOB_ACTIONS,
  type JobAction,
  refuseJobAction,
  toJobActionDone,
  toJobActionLabel,
} from '../../../core/jobs.js';
import { toKindApi } from '../../../core/kind-api.js';
import type { EmApi, EmJobActionsApi } from '../../../core/ports.js';
import type { Logger } from '../../../logger.js';
import { type AccessPolicy, checkAccess } from '../../../slack/access.js';
import { escapeMrkdwn, toPlainText, truncateText } from '../../../slack/mrkdwn.js';
import { registerButton, respondPrivately } from '../../../slack/register-button.js';
import { toSlackDate } from '../../../slack/slack-date.js';
import type { SlashSubcommand, SubcommandContext } from '../../../slack/subcommands.js';
import type { AlertStore } from '../../alerts/alert-store.js';
import type { JobRunAlert } from '../../alerts/domain/alert-notice.js';
import type { AlertDecoration } from '../../alerts/slack/alert-decorations.js';
import type { ActionClick, ActionService } from '../action-service.js';
import type { ActionStore, JobActionRow } from '../action-store.js';
import { decodeActionValue, encodeActionValue } from './action-value.js';
import { JOB_ACTION_IDS, renderJobActionButton } from './render-action-buttons.js';

export interface JobActionSlackDeps {
  /** undefined when VEEAM_ACTION_USERNAME is not set: no buttons, and commands say actions are not set up */
  service: ActionService | undefined;
  actions: EmJobActionsApi | undefined;
  reader: EmApi;
  store: ActionStore;
  alerts: AlertStore;
  permissions: ActionPermissions;
  /** who may read the audit */
  auditReaders: readonly string[];
  access: AccessPolicy;
  /** the key button values are signed with */
  signingKey: string;
  clock: Clock;
  logger: Logger;
  timeZone: string;
  /** posts outcomes (the bot token) */
  client: WebClient | undefined;
  /** wakes the alerts' outbox after an alert update was queued */
  onQueued?: () => void;
}

export const NOT_SET_UP =
  'Job actions are not set up: set VEEAM_ACTION_USERNAME and VEEAM_ACTION_PASSWORD (an EM Portal Administrator account) and ACTION_USER_IDS (who may press what). See docs/slack.md, "Job actions".';

const FORGED_TEXT =
  ':no_entry: This button does not belong here, so I did nothing. Use the buttons on the alert or ask again with `/replicas retry job "<name>"`.';

export interface JobActionSlack {
  register(app: App): void;
  subcommands: SlashSubcommand[];
  decorate(alert: JobRunAlert): Promise<AlertDecoration>;
  onOutcome(row: JobActionRow, job: EmJob): Promise<void>;
  /**
   * The buttons of a job named on another surface (an RPO alert, an answer that shows one job), from the job as
   * EM has it now: none when actions are not set up, the channel (or the person) may not use replibot there, or
   * EM does not know the job. The provider of src/app/job-buttons.ts.
   */
  buttonsForJob(job: JobRef, where: JobButtonsWhere): Promise<Button[]>;
  /** a job's buttons for another surface (job answers, RPO alerts): signed for `channelId` */
  buttonsFor(
    job: EmJob,
    state: { running: boolean; lastRunFailed: boolean },
    channelId: string,
    /** when given, only the actions this user may press (a group member is checked at the click) */
    userId?: string,
  ): Button[];
}

/** "succeeded@2026-...Z" as the store keeps it -> "succeeded <date>". */
function outcomeText(row: JobActionRow, timeZone: string): string {
  if (row.state === 'running') return 'in progress';
  const outcome = row.outcome ?? 'done';
  const at = outcome.lastIndexOf('@');
  if (at > 0) {
    const when = new Date(outcome.slice(at + 1));
    if (!Number.isNaN(when.getTime()))
      return `${escapeMrkdwn(outcome.slice(0, at))} ${toSlackDate(when, timeZone)}`;
  }
  return `${escapeMrkdwn(truncateText(outcome, 300))}${row.outcomeAt ? ` ${toSlackDate(row.outcomeAt, timeZone)}` : ''}`;
}

export function toActionLine(row: JobActionRow, timeZone: string): string {
  return `${toJobActionDone(row.action)} by <@${row.slackUser}> at ${toSlackDate(row.startedAt, timeZone)} -> ${outcomeText(row, timeZone)}`;
}

/** `job "SQL Replica"`, `"SQL Replica"`, `job SQL Replica` -> `SQL Replica`. */
export function parseJobArgument(args: string): string | null {
  const rest = args.replace(/^job\s+/i, '').trim();
  const quoted = /^["“](.+)["”]$/.exec(rest);
  const name = (quoted ? quoted[1] : rest)?.trim() ?? '';
  return name === '' || name.length > 200 ? null : name;
}

export function createJobActionSlack(deps: JobActionSlackDeps): JobActionSlack {
  const { store, alerts, clock, permissions } = deps;
  const log = deps.logger.child({ component: 'job-actions-slack' });
  const configured =
    deps.service !== undefined && deps.actions !== undefined && hasAnyActionUser(permissions);

  const value = (action: JobAction, jobUid: string, channelId: string, alertId: number | null) =>
    encodeActionValue({ action, jobUid, channelId, alertId }, deps.signingKey);

  const auditRefusal = async (
    click: Partial<ActionClick> & { userId: string; action: string },
    why: string,
    detail: string,
  ) => {
    log.info(
      {
        audit: 'refused',
        result: `refused:${why}`,
        userId: click.userId,
        channelId: click.channelId,
        action: click.action,
      },
      'job action',
    );
    await store.audit
      .append({
        at: clock.now(),
        event: 'refused',
        clickKey: click.clickKey ?? null,
        slackUser: click.userId,
        channelId: click.channelId ?? null,
        messageTs: click.messageTs ?? null,
        alertId: click.alertId ?? null,
        action: click.action,
        jobUid: click.jobUid ?? null,
        jobName: null,
        serverName: null,
        emTask: null,
        result: `refused:${why}`,
        detail,
      })
      .catch((error: unknown) =>
        log.error(
          { err: error instanceof Error ? error.message : String(error) },
          'could not write the job action audit',
        ),
      );
  };

  const post = async (channel: string, text: string, threadTs?: string | null) => {
    if (!deps.client) return;
    await deps.client.chat
      .postMessage({
        channel,
        text,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: truncateText(text, 2900) } }],
        unfurl_links: false,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      })
      .catch((error: unknown) =>
        log.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'could not post a job action note',
        ),
      );
  };

  const queueAlertUpdate = async (alertId: number, key: string) => {
    const alert = await alerts.alerts.get(alertId);
    if (alert === null) return;
    await alerts.outbox.enqueue({ key, channelId: alert.channelId, action: 'update', alertId }, clock.now());
    deps.onQueued?.();
  };

  const register = (app: App): void => {
    for (const action of JOB_ACTIONS) {
      registerButton(
        app,
        JOB_ACTION_IDS[action],
        { name: `job ${action}`, need: 'use', access: deps.access, logger: deps.logger },
        async ({ body, value: raw, channelId, respond }) => {
          const button = body.actions[0];
          const clickKey = `${button?.action_ts ?? ''}|${JOB_ACTION_IDS[action]}|${body.user.id}`;
          // an ephemeral answer's ts names nothing anyone else can see or thread under: not kept
          const messageTs =
            body.container?.is_ephemeral === true
              ? null
              : (body.container?.message_ts ?? body.message?.ts ?? null);
          const base = {
            userId: body.user.id,
            channelId: channelId ?? undefined,
            action,
            clickKey,
            messageTs,
          };
          if (!configured || !deps.service || !deps.actions) return respondPrivately(respond, NOT_SET_UP);
          const parsed = decodeActionValue(raw, deps.signingKey);
          if (
            parsed === null ||
            parsed.action !== action ||
            channelId === null ||
            parsed.channelId !== channelId
          ) {
            log.warn({ channelId }, 'refused a job action button with a forged or foreign value');
            await auditRefusal(base, 'forged', 'the button value is not one replibot wrote for this channel');
            return respondPrivately(respond, FORGED_TEXT);
          }
          let jobUid = parsed.jobUid;
          let alert: JobRunAlert | null = null;
          if (parsed.alertId !== null) {
            alert = await alerts.alerts.get(parsed.alertId);
            if (alert === null || alert.channelId !== channelId) {
              await auditRefusal(
                { ...base, alertId: parsed.alertId },
                'forged',
                'the alert is not in this channel',
              );
              return respondPrivately(respond, FORGED_TEXT);
            }
            if (jobUid === '') {
              let found: EmJob | null = null;
              let why = `EM knows no job named ${alert.jobName}.`;
              try {
                found = await deps.actions.findJobByName(alert.jobName, alert.serverName);
              } catch (error) {
                why =
                  error instanceof ReplibotError
                    ? `${error.message} ${error.hint ?? ''}`
                    : 'EM could not be asked.';
              }
              if (found === null) {
                await auditRefusal({ ...base, alertId: alert.id }, 'em', why.slice(0, 500));
                return respondPrivately(
                  respond,
                  `:warning: I could not find the job in Enterprise Manager: ${escapeMrkdwn(why)}`,
                );
              }
              jobUid = found.uid;
            }
          }
          if (jobUid === '') {
            await auditRefusal(base, 'forged', 'a button naming no job');
            return respondPrivately(respond, FORGED_TEXT);
          }
          const answer = await deps.service.run({
            action,
            jobUid,
            userId: body.user.id,
            channelId,
            messageTs,
            alertId: alert?.id ?? null,
            alertJobName: alert?.jobName ?? null,
            alertJobSessionUid: alert?.jobSessionUid ?? null,
            clickKey,
          });
          switch (answer.kind) {
            case 'repeat':
              return;
            case 'refused':
            case 'busy':
              return respondPrivately(respond, answer.text);
            case 'sent': {
              const where = answer.job.serverName ? ` on ${escapeMrkdwn(answer.job.serverName)}` : '';
              const line = `${toJobActionDone(action)} for *${escapeMrkdwn(answer.job.name)}*${where} by <@${body.user.id}> at ${toSlackDate(answer.row.startedAt, deps.timeZone)} (EM task ${escapeMrkdwn(answer.row.emTask ?? '')}). I will write the outcome here.`;
              if (alert !== null) {
                await post(alert.channelId, line, alert.ts);
                await queueAlertUpdate(alert.id, `alert:${alert.id}:action:${answer.row.id}:start`);
              } else {
                // under the message the button is on (an RPO alert, an answer in the channel), when it has one
                await post(channelId, line, messageTs);
              }
              return;
            }
          }
        },
      );
    }
  };

  const onOutcome = async (row: JobActionRow, job: EmJob): Promise<void> => {
    const text = `${escapeMrkdwn(toJobActionDone(row.action))} for *${escapeMrkdwn(job.name)}* by <@${row.slackUser}> at ${toSlackDate(row.startedAt, deps.timeZone)} -> ${outcomeText(row, deps.timeZone)}`;
    if (row.alertId !== null) {
      const alert = await alerts.alerts.get(row.alertId);
      await post(row.channelId, text, alert?.ts ?? null);
      await queueAlertUpdate(row.alertId, `alert:${row.alertId}:action:${row.id}:done`);
      return;
    }
    await post(row.channelId, text, row.messageTs);
  };

  const decorate = async (alert: JobRunAlert): Promise<AlertDecoration> => {
    const rows = await store.actions.forAlert(alert.id);
    const context = rows.map((row) => toActionLine(row, deps.timeZone));
    const open = alert.vms.some((vm) => vm.recoveredAt === null && vm.result === 'Failed');
    const retrying = rows.some((row) => row.action === 'retry' && row.state === 'running');
    const buttons: Button[] =
      configured && permissions.retry.length > 0 && open && !retrying
        ? [
            renderJobActionButton(
              'retry',
              { name: alert.jobName, serverName: alert.serverName, type: 'Replica' },
              value('retry', '', alert.channelId, alert.id),
            ),
          ]
        : [];
    return { context, buttons };
  };

  const buttonsFor = (
    job: EmJob,
    state: { running: boolean; lastRunFailed: boolean },
    channelId: string,
    userId?: string,
  ): Button[] => {
    if (!configured) return [];
    const wanted: JobAction[] = [];
    if (state.lastRunFailed && !state.running) wanted.push('retry');
    wanted.push(state.running ? 'stop' : 'start');
    if (job.scheduleConfigured) wanted.push(job.scheduleEnabled ? 'pause' : 'resume');
    return wanted
      .filter((a) =>
        userId === undefined
          ? permissions[a].length > 0
          : permissions[a].includes(userId) || permissions[a].some((id) => id.startsWith('S')),
      )
      .map((a) => renderJobActionButton(a, job, value(a, job.uid, channelId, null)));
  };

  const lastRunOf = async (job: EmJob): Promise<{ running: boolean; lastResult: string | null }> => {
    // a replication job's runs are ReplicaJobSessions, every other job's BackupJobSessions
    const sessions = job.type === 'Replica' ? deps.reader : toKindApi(deps.reader, 'backup');
    for await (const session of sessions.queryJobSessions({
      filter: eq('JobName', job.name),
      sort: { field: 'CreationTime', direction: 'desc' },
      limit: 1,
    }))
      return { running: session.endTime === null, lastResult: session.result };
    return { running: false, lastResult: null };
  };

  const buttonsForJob = async (ref: JobRef, where: JobButtonsWhere): Promise<Button[]> => {
    if (!configured || !deps.actions) return [];
    // the same check as every button: the channel (and the person, on an answer only they see) may use replibot
    if (where.userId !== undefined) {
      if (!checkAccess(deps.access, where.userId, where.channelId).allowed) return [];
    } else if (
      deps.access.allowedChannelIds.length > 0 &&
      !deps.access.allowedChannelIds.includes(where.channelId)
    ) {
      return [];
    }
    const job = await deps.actions.findJobByName(ref.name, ref.serverName);
    if (job === null) return [];
    const { running, lastResult } = await lastRunOf(job);
    return buttonsFor(
      job,
      { running, lastRunFailed: lastResult === 'Failed' },
      where.channelId,
      where.userId,
    );
  };

  const jobCard = (
    job: EmJob,
    running: boolean,
    lastResult: string | null,
    timeZone: string,
    buttons: Button[],
  ): KnownBlock[] => [
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncateText(
          `*${escapeMrkdwn(job.name)}*${job.serverName ? ` on *${escapeMrkdwn(job.serverName)}*` : ''} · ${escapeMrkdwn(job.typeWord || 'job')} · ${running ? 'running now' : `last run ${lastResult === null ? 'not known' : escapeMrkdwn(lastResult)}`} · schedule ${job.scheduleConfigured ? (job.scheduleEnabled ? 'enabled' : 'paused') : 'none'}${job.nextRun && job.scheduleEnabled ? `, next run ${toSlackDate(job.nextRun, timeZone)}` : ''}`,
          2900,
        ),
      },
    },
    ...(buttons.length > 0 ? [{ type: 'actions' as const, elements: buttons }] : []),
  ];

  const jobAnswer: SlashSubcommand = {
    name: 'actions',
    usage: 'actions job "<job name>"',
    description:
      'A job with the actions you may take on it now (Retry failed VMs, Start now, Stop, Pause/Resume schedule).',
    async handle(ctx) {
      if (!configured || !deps.actions) return ctx.respond(NOT_SET_UP);
      const name = parseJobArgument(ctx.args);
      if (name === null) return ctx.respond('Which job? For example `/replicas actions job "SQL Replica"`.');
      const job = await deps.actions.findJobByName(name);
      if (job === null) return ctx.respond(`Enterprise Manager knows no job named *${escapeMrkdwn(name)}*.`);
      const { running, lastResult } = await lastRunOf(job);
      const buttons = buttonsFor(
        job,
        { running, lastRunFailed: lastResult === 'Failed' },
        ctx.channelId,
        ctx.userId,
      );
      await ctx.respond({
        response_type: 'ephemeral',
        text: toPlainText(
          `${job.name}: ${buttons.map((b) => b.text.text).join(', ') || 'no action you may take'}`,
          3000,
        ),
        blocks: jobCard(job, running, lastResult, ctx.timeZone, buttons),
      });
    },
  };

  const commandFor = (action: JobAction): SlashSubcommand => ({
    name: action,
    usage: `${action} job "<job name>"`,
    description: `${toJobActionLabel(action, { type: 'Replica' })}: asks you to confirm, then tells EM to ${describeJobAction(action, { type: 'Replica' })}.`,
    async handle(ctx: SubcommandContext) {
      if (!configured || !deps.actions || !deps.service) return ctx.respond(NOT_SET_UP);
      const name = parseJobArgument(ctx.args);
      if (name === null)
        return ctx.respond(`Which job? For example \`/replicas ${action} job "SQL Replica"\`.`);
      if (
        !permissions[action].includes(ctx.userId) &&
        !permissions[action].some((id) => id.startsWith('S'))
      ) {
        await auditRefusal(
          { userId: ctx.userId, channelId: ctx.channelId, action },
          'user',
          `asked by command for ${name}`,
        );
        return ctx.respond(
          `:no_entry: You may not ${action} jobs from Slack. Who may: ${deps.service.whoMay(action)}.`,
        );
      }
      const job = await deps.actions.findJobByName(name);
      if (job === null) return ctx.respond(`Enterprise Manager knows no job named *${escapeMrkdwn(name)}*.`);
      const state = refuseJobAction(action, job);
      if (state !== null) return ctx.respond(`Nothing to do for *${escapeMrkdwn(job.name)}*: ${state}.`);
      const { running, lastResult } = await lastRunOf(job);
      const blocks = jobCard(job, running, lastResult, ctx.timeZone, [
        renderJobActionButton(action, job, value(action, job.uid, ctx.channelId, null)),
      ]);
      await store.audit.append({
        at: clock.now(),
        event: 'requested',
        clickKey: null,
        slackUser: ctx.userId,
        channelId: ctx.channelId,
        messageTs: null,
        alertId: null,
        action,
        jobUid: job.uid,
        jobName: job.name,
        serverName: job.serverName,
        emTask: null,
        result: 'shown',
        detail: 'by command; waits for the confirmation',
      });
      await ctx.respond({
        response_type: 'ephemeral',
        text: toPlainText(
          `${toJobActionLabel(action, job)}: ${job.name}? Press the button to confirm.`,
          3000,
        ),
        blocks,
      });
    },
  });

  const audit: SlashSubcommand = {
    name: 'audit',
    usage: 'audit [job <name>] [last <n> days]',
    description: 'Job actions asked for, refused, sent to EM and their outcomes (admins).',
    async handle(ctx) {
      if (!deps.auditReaders.includes(ctx.userId)) {
        return ctx.respond(
          `:no_entry: The job action audit is for admins: ${deps.auditReaders.length === 0 ? 'nobody is named (set ADMIN_USER_IDS)' : deps.auditReaders.map((id) => `<@${id}>`).join(', ')}.`,
        );
      }
      const days = /\blast\s+(\d{1,3})\s+days?\b/i.exec(ctx.args);
      const jobMatch = /\bjob\s+("[^"]+"|\S+)/i.exec(ctx.args);
      const jobName = jobMatch?.[1]?.replace(/^"|"$/g, '') ?? null;
      const since = new Date(clock.now().getTime() - Math.min(Number(days?.[1] ?? 7), 365) * 86_400_000);
      const rows = await store.audit.list({ since, jobName, limit: 40 });
      if (rows.length === 0)
        return ctx.respond(
          `No job actions${jobName ? ` for *${escapeMrkdwn(jobName)}*` : ''} since ${toSlackDate(since, ctx.timeZone)}.`,
        );
      const lines = rows.map(
        (r) =>
          `${toSlackDate(r.at, ctx.timeZone)} · <@${r.slackUser}> · ${escapeMrkdwn(r.action)} · ${r.jobName ? `*${escapeMrkdwn(r.jobName)}*` : escapeMrkdwn(r.jobUid ?? '-')} · ${escapeMrkdwn(r.event)}: ${escapeMrkdwn(r.result)}${r.emTask ? ` (task ${escapeMrkdwn(r.emTask)})` : ''}${r.detail ? ` · ${escapeMrkdwn(truncateText(r.detail, 120))}` : ''}`,
      );
      const text = truncateText(`*Job action audit* (newest first)\n${lines.join('\n')}`, 2900);
      await ctx.respond({
        response_type: 'ephemeral',
        text,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
      });
    },
  };

  return {
    register,
    subcommands: [...JOB_ACTIONS.map(commandFor), jobAnswer, audit],
    decorate,
    onOutcome,
    buttonsFor,
    buttonsForJob,
  };
}
