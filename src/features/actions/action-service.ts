/**
 * One job action from a confirmed click to its outcome: who may, which job, the state EM is in now, one POST,
 * the task on its own logon session, and the run it started. Every step leaves an audit row (and a log line
 * with the same words); the click's row in `job_actions` makes the click act once (a retried Slack request finds
 * it: `repeat`) and makes a second click on the same job wait for the first (`busy`).
 *
 * Follow-through: EM answers 202 with a task, read on the logon session that created it until it is Finished.
 * When that session has expired (or EM no longer knows the task), the job session the action started is looked
 * for instead: same job, created after the click, `IsRetry` for a retry. A run is followed until it ends (at
 * most ACTION_FOLLOW_HOURS); stop, pause and resume end with their task.
 *
 * The follow-through is kept in the store, not in this process: the row names its follower and the follower
 * beats while it follows. A clean stop lets go of its rows; a crashed follower goes quiet. Every instance looks
 * for running actions nobody follows (at start and then every minute) and takes each over with a conditional
 * update, so exactly one instance carries on. The task's logon session belongs to the process that sent the
 * action and is gone by then: the taker finds the job session the click started instead (same job, created after
 * the click, `IsRetry` for a retry) and writes the outcome in the thread and on the alert as the first would have.
 */
import { randomUUID } from 'node:crypto';
import { type ActionPermissions, mayAct } from '../../core/action-permissions.js';
import type { Clock } from '../../core/clock.js';
import { ReplibotError } from '../../core/errors.js';
import { and, cmp, eq } from '../../core/filter.js';
import {
  type EmJob,
  type JobAction,
  refuseJobAction,
  toEmJobAction,
  toJobActionDone,
} from '../../core/jobs.js';
import { toKindApi } from '../../core/kind-api.js';
import type { EmActionTicket, EmApi, EmJobActionsApi } from '../../core/ports.js';
import type { ReplicaJobSession } from '../../core/sessions.js';
import type { Logger } from '../../logger.js';
import { escapeMrkdwn } from '../../slack/mrkdwn.js';
import type { ActionStore, AuditEntry, JobActionRow } from './action-store.js';

export interface ActionClick {
  action: JobAction;
  jobUid: string;
  userId: string;
  channelId: string;
  messageTs: string | null;
  /** the failure alert the button is on, when it is on one */
  alertId: number | null;
  /** the alert's job name, checked against the job EM names */
  alertJobName: string | null;
  /** the alert's own run, never taken for the run a retry started */
  alertJobSessionUid: string | null;
  /** unique per click: Slack's action_ts, the action id and the user */
  clickKey: string;
}

export type ActionAnswer =
  | { kind: 'sent'; text: string; row: JobActionRow; job: EmJob }
  | { kind: 'refused'; text: string }
  | { kind: 'repeat' }
  | { kind: 'busy'; text: string };

export interface ActionServiceDeps {
  actions: EmJobActionsApi;
  /** the reading EM client: job sessions, for the retry check and the follow-through */
  reader: EmApi;
  store: ActionStore;
  permissions: ActionPermissions;
  /** the user groups (`S...`) among the named ones that the user is in */
  memberOf(userId: string): Promise<string[]>;
  clock: Clock;
  logger: Logger;
  followHours: number;
  /** pauses between reads of a task and of a run; tests make them short */
  taskPollMs?: number;
  runPollMs?: number;
  wait?: (ms: number) => Promise<void>;
  /** this instance, as the store names the follower of an action (default: a random id per process) */
  instanceId?: string;
  /** a follower that has not beaten for this long is taken over (default 3 minutes) */
  quietMs?: number;
  /** how often to look for actions nobody follows (default every minute; 0: only when `resume` is called) */
  resumeEveryMs?: number;
  /** told of each action's outcome (the Slack side writes it in the thread and on the alert) */
  onOutcome(row: JobActionRow, job: EmJob): Promise<void>;
}

export interface ActionService {
  run(click: ActionClick): Promise<ActionAnswer>;
  /** who may press `action`, for refusals: `<@U1>, <@U2> or members of <!subteam^S1>` */
  whoMay(action: JobAction): string;
  /** resolves when every follow-through started so far has ended (tests, shutdown) */
  idle(): Promise<void>;
  /** takes over the running actions nobody follows (after a restart, or another instance's crash) */
  resume(): Promise<number>;
  /** looks for unfollowed actions now and then every `resumeEveryMs` */
  start(): Promise<void>;
  /** stops following and lets go of the actions this instance followed, for another instance to take over */
  stop(): Promise<void>;
}

const TASK_WAIT_MS = 5 * 60_000;
/** how long a run may take to appear in EM after its task finished */
const RUN_APPEAR_MS = 15 * 60_000;
/** EM's clock and ours may differ by this much when looking for the run a click started */
const CLOCK_SKEW_MS = 60_000;

export function createActionService(deps: ActionServiceDeps): ActionService {
  const { store, clock } = deps;
  const log = deps.logger.child({ component: 'job-actions' });
  const taskPollMs = deps.taskPollMs ?? 2000;
  const runPollMs = deps.runPollMs ?? 15_000;
  let stopped = false;
  const wait =
    deps.wait ??
    ((ms: number) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        timer.unref();
      }));
  const following = new Set<Promise<void>>();
  const instanceId = deps.instanceId ?? randomUUID();
  const quietMs = deps.quietMs ?? 3 * 60_000;
  /** the rows this instance follows now (let go of at stop) */
  const followed = new Set<number>();
  let resumeTimer: ReturnType<typeof setInterval> | undefined;
  /** the job sessions of a job's kind: replication jobs in ReplicaJobSession, every other in BackupJobSession */
  const sessionsOf = (job: EmJob): EmApi =>
    job.type === 'Replica' ? deps.reader : toKindApi(deps.reader, 'backup');
  /** a running action older than its longest follow-through was cut short by a restart: it no longer blocks */
  const staleBefore = () =>
    new Date(clock.now().getTime() - deps.followHours * 3_600_000 - RUN_APPEAR_MS - TASK_WAIT_MS);

  const whoMay = (action: JobAction): string => {
    const named = deps.permissions[action];
    if (named.length === 0) return 'nobody (ACTION_USER_IDS names no one for it)';
    const people = named.filter((id) => !id.startsWith('S')).map((id) => `<@${id}>`);
    const groups = named.filter((id) => id.startsWith('S')).map((id) => `<!subteam^${id}>`);
    return [...people, ...(groups.length > 0 ? [`members of ${groups.join(', ')}`] : [])].join(', ');
  };

  const audit = async (
    click: ActionClick,
    event: AuditEntry['event'],
    result: string,
    extra: Partial<AuditEntry> = {},
  ): Promise<void> => {
    const entry: AuditEntry = {
      at: clock.now(),
      event,
      clickKey: click.clickKey,
      slackUser: click.userId,
      channelId: click.channelId,
      messageTs: click.messageTs,
      alertId: click.alertId,
      action: click.action,
      jobUid: click.jobUid,
      // the alert's job name until EM has named the job
      jobName: click.alertJobName,
      serverName: null,
      emTask: null,
      result,
      detail: null,
      ...extra,
    };
    // the log has the same line as the audit (never a session id: tickets stay out of both)
    log.info(
      {
        audit: event,
        result,
        userId: entry.slackUser,
        channelId: entry.channelId,
        action: entry.action,
        job: entry.jobName ?? entry.jobUid,
        emTask: entry.emTask,
        alertId: entry.alertId,
        detail: entry.detail,
      },
      'job action',
    );
    try {
      await store.audit.append(entry);
    } catch (error) {
      log.error(
        { err: error instanceof Error ? error.message : String(error) },
        'could not write the job action audit',
      );
    }
  };

  const refuse = async (
    click: ActionClick,
    why: string,
    text: string,
    job?: EmJob,
  ): Promise<ActionAnswer> => {
    await audit(click, 'refused', `refused:${why}`, {
      ...(job ? { jobName: job.name, serverName: job.serverName } : {}),
      detail: text.slice(0, 500),
    });
    return { kind: 'refused', text };
  };

  /** The job's latest run (a retry is offered only when it failed; stop only when it runs). */
  const latestRun = async (job: EmJob): Promise<ReplicaJobSession | null> => {
    for await (const session of sessionsOf(job).queryJobSessions({
      filter: eq('JobName', job.name),
      sort: { field: 'CreationTime', direction: 'desc' },
      limit: 1,
    }))
      return session;
    return null;
  };

  const repeat = async (click: ActionClick, job: EmJob | null): Promise<ActionAnswer> => {
    await audit(click, 'refused', 'refused:repeat', {
      ...(job ? { jobName: job.name, serverName: job.serverName } : {}),
      detail: 'the same click again (a retried request)',
    });
    return { kind: 'repeat' };
  };

  const busy = async (click: ActionClick, job: EmJob, row: JobActionRow): Promise<ActionAnswer> => {
    const text = `<@${row.slackUser}> already asked for ${row.action} on *${escapeMrkdwn(job.name)}*; it is still in progress, so I did nothing. Wait for its outcome.`;
    await audit(click, 'refused', 'refused:busy', {
      jobName: job.name,
      serverName: job.serverName,
      detail: `action ${row.id} still running`,
    });
    return { kind: 'busy', text };
  };

  const run = async (click: ActionClick): Promise<ActionAnswer> => {
    await audit(click, 'confirmed', 'ok');
    const groups = await deps.memberOf(click.userId).catch(() => []);
    if (!mayAct(deps.permissions, click.action, click.userId, groups)) {
      return refuse(
        click,
        'user',
        `:no_entry: You may not ${click.action} jobs from Slack. Who may: ${whoMay(click.action)}.`,
      );
    }
    if ((await store.actions.byClick(click.clickKey)) !== null) return repeat(click, null);
    let job: EmJob;
    try {
      job = await deps.actions.getJob(click.jobUid);
    } catch (error) {
      return refuse(
        click,
        'em',
        `:warning: I could not read the job from Enterprise Manager: ${escapeMrkdwn(toText(error))}`,
      );
    }
    if (click.alertJobName !== null && click.alertJobName.toLowerCase() !== job.name.toLowerCase()) {
      log.warn({ channelId: click.channelId }, 'refused a job action whose job is not the alert job');
      return refuse(
        click,
        'forged',
        ':no_entry: This button does not belong to this alert, so I did nothing.',
        job,
      );
    }
    const runningAction = await store.actions.runningFor(job.uid, click.action, staleBefore());
    if (runningAction !== null) return busy(click, job, runningAction);
    const state = refuseJobAction(click.action, job);
    if (state !== null)
      return refuse(click, 'state', `Nothing to do for *${escapeMrkdwn(job.name)}*: ${state}.`, job);
    /** the job's latest run before the click: never taken for the run the click starts */
    let prior: ReplicaJobSession | null = null;
    if (click.action === 'start') prior = await latestRun(job).catch(() => null);
    if (click.action === 'retry' || click.action === 'stop') {
      let last: ReplicaJobSession | null;
      try {
        last = await latestRun(job);
        prior = last;
      } catch (error) {
        return refuse(
          click,
          'em',
          `:warning: I could not read the job's last run: ${escapeMrkdwn(toText(error))}`,
          job,
        );
      }
      const running = last !== null && last.endTime === null;
      if (click.action === 'retry' && (last === null || running || last.result !== 'Failed'))
        return refuse(
          click,
          'state',
          `Nothing to retry for *${escapeMrkdwn(job.name)}*: its last run ${last === null ? 'is not known' : running ? 'is still running' : `ended with ${last.result}`}.`,
          job,
        );
      if (click.action === 'stop' && !running)
        return refuse(
          click,
          'state',
          `*${escapeMrkdwn(job.name)}* is not running, so there is nothing to stop.`,
          job,
        );
    }
    const begun = await store.actions.begin(
      {
        clickKey: click.clickKey,
        action: click.action,
        jobUid: job.uid,
        jobName: job.name,
        serverName: job.serverName,
        slackUser: click.userId,
        channelId: click.channelId,
        messageTs: click.messageTs,
        alertId: click.alertId,
        priorSessionUid: prior?.uid ?? click.alertJobSessionUid,
        followOwner: instanceId,
        startedAt: clock.now(),
      },
      staleBefore(),
    );
    const jobFields = { jobName: job.name, serverName: job.serverName };
    if (begun.status === 'repeat') {
      await audit(click, 'refused', 'refused:repeat', {
        ...jobFields,
        detail: 'the same click again (a retried request)',
      });
      return { kind: 'repeat' };
    }
    if (begun.status === 'busy') {
      const text = `<@${begun.row.slackUser}> already asked for ${begun.row.action} on *${escapeMrkdwn(job.name)}*; it is still in progress, so I did nothing. Wait for its outcome.`;
      await audit(click, 'refused', 'refused:busy', {
        ...jobFields,
        detail: `action ${begun.row.id} still running`,
      });
      return { kind: 'busy', text };
    }
    const row = begun.row;
    const emAction = toEmJobAction(click.action, job);
    await audit(click, 'em_call', 'sent', {
      ...jobFields,
      detail: `POST /jobs/${job.id}?action=${emAction}`,
    });
    let ticket: EmActionTicket;
    try {
      ticket = await deps.actions.sendAction(job.id, emAction);
    } catch (error) {
      const outcome = `failed: ${toText(error)}`;
      await audit(click, 'outcome', 'failed', { ...jobFields, detail: toText(error).slice(0, 500) });
      const done = await store.actions.finish(row.id, outcome, clock.now());
      if (done) await deps.onOutcome(done, job).catch(() => undefined);
      return {
        kind: 'refused',
        text: `:warning: Enterprise Manager did not take it: ${escapeMrkdwn(toText(error))}`,
      };
    }
    await store.actions.setTask(row.id, ticket.taskId);
    await audit(click, 'em_task', 'accepted', { ...jobFields, emTask: ticket.taskId });
    track(click, job, row, ticket);
    return {
      kind: 'sent',
      row: { ...row, emTask: ticket.taskId },
      job,
      text: `${toJobActionDone(click.action)} for *${escapeMrkdwn(job.name)}*: EM accepted it (task ${escapeMrkdwn(ticket.taskId)}). I will write the outcome here.`,
    };
  };

  const finish = async (
    click: ActionClick,
    job: EmJob,
    row: JobActionRow,
    outcome: string,
    result: string,
  ) => {
    // the row ends once: an instance that took the action over and this one never both write the outcome
    const done = await store.actions.finish(row.id, outcome, clock.now());
    if (done === null) return;
    await audit(click, 'outcome', result, {
      jobName: job.name,
      serverName: job.serverName,
      emTask: row.emTask,
      detail: outcome.slice(0, 500),
    });
    await deps.onOutcome(done, job);
  };

  /** follows one action in the background; its row is let go of if this instance stops first */
  function track(click: ActionClick, job: EmJob, row: JobActionRow, ticket: EmActionTicket | null): void {
    followed.add(row.id);
    const follow = followThrough(click, job, row, ticket)
      .catch((error: unknown) => {
        log.error(
          { err: error instanceof Error ? error.message : String(error) },
          'job action follow-through failed',
        );
      })
      .finally(() => followed.delete(row.id));
    following.add(follow);
    void follow.finally(() => following.delete(follow));
  }

  /** still ours: beats the row; false when another instance took it over (or it ended) */
  const stillOurs = (row: JobActionRow): Promise<boolean> =>
    store.actions.beat(row.id, instanceId, clock.now()).catch(() => true);

  async function followThrough(
    click: ActionClick,
    job: EmJob,
    row: JobActionRow,
    ticket: EmActionTicket | null,
  ): Promise<void> {
    const taskDeadline = clock.now().getTime() + TASK_WAIT_MS;
    // without the ticket (taken over from another process) the task cannot be read: its session is gone
    let expired = ticket === null;
    for (;;) {
      if (stopped || ticket === null) break;
      if (!(await stillOurs(row))) return;
      const task = await deps.actions.readTask(ticket).catch((error: unknown) => {
        log.warn({ err: toText(error) }, 'could not read an EM task');
        return null;
      });
      if (task === 'session-expired') {
        expired = true;
        await audit(click, 'em_task', 'session-expired', {
          jobName: job.name,
          serverName: job.serverName,
          emTask: ticket.taskId,
          detail: 'the logon session of the task expired; looking for the job session instead',
        });
        break;
      }
      if (task !== null && task.state === 'Finished' && task.success === false) {
        return finish(
          click,
          job,
          { ...row, emTask: ticket.taskId },
          `refused by EM: ${task.message ?? 'no reason given'}`,
          'em-refused',
        );
      }
      if (task !== null && (task.state === 'Finished' || task.state === 'OperationFinished') && task.success)
        break;
      if (clock.now().getTime() > taskDeadline) break;
      await wait(taskPollMs);
    }
    if (stopped) return;
    const withTask = { ...row, emTask: ticket?.taskId ?? row.emTask };
    if (click.action === 'pause' || click.action === 'resume') {
      if (expired) {
        // the task cannot be read any more: the job's schedule says whether it happened
        const now = await deps.actions.getJob(job.id).catch(() => null);
        const wanted = click.action === 'resume';
        if (now === null) return finish(click, job, withTask, 'unknown: EM could not be asked', 'unknown');
        return now.scheduleEnabled === wanted
          ? finish(click, job, withTask, 'succeeded', 'succeeded')
          : finish(click, job, withTask, 'failed: the schedule did not change', 'failed');
      }
      return finish(click, job, withTask, 'succeeded', 'succeeded');
    }
    if (click.action === 'stop') {
      if (!expired) return finish(click, job, withTask, 'succeeded', 'succeeded');
      const last = await latestRun(job).catch(() => null);
      return last !== null && last.endTime !== null
        ? finish(click, job, withTask, 'succeeded', 'succeeded')
        : finish(click, job, withTask, 'unknown: the job still runs', 'unknown');
    }
    // retry, start, sync: the run it started, then that run's end
    const since = new Date(row.startedAt.getTime() - CLOCK_SKEW_MS);
    const appearDeadline =
      Math.max(clock.now().getTime(), row.startedAt.getTime() + TASK_WAIT_MS) + RUN_APPEAR_MS;
    const runDeadline = row.startedAt.getTime() + deps.followHours * 3_600_000;
    let started: ReplicaJobSession | null = null;
    while (!stopped) {
      if (!(await stillOurs(row))) return;
      started = await findStartedRun(job, since, click, row.priorSessionUid).catch(() => null);
      if (started !== null && started.endTime !== null) break;
      if (started === null && clock.now().getTime() > appearDeadline)
        return finish(click, job, withTask, 'unknown: no run of the job appeared in EM', 'unknown');
      if (clock.now().getTime() > runDeadline)
        return finish(click, job, withTask, `unknown: still running after ${deps.followHours}h`, 'unknown');
      await wait(runPollMs);
    }
    if (started === null || started.endTime === null) return;
    const word =
      started.result === 'Success'
        ? 'succeeded'
        : started.result === 'Warning'
          ? 'ended with a warning'
          : 'failed';
    return finish(
      click,
      job,
      withTask,
      `${word}@${started.endTime.toISOString()}`,
      word === 'succeeded' ? 'succeeded' : 'failed',
    );
  }

  /** The run this click started: same job, created after the click, `IsRetry` for a retry, not the alert's. */
  async function findStartedRun(
    job: EmJob,
    since: Date,
    click: ActionClick,
    priorUid: string | null,
  ): Promise<ReplicaJobSession | null> {
    const filter = and(
      eq('JobName', job.name),
      cmp('CreationTime', '>=', since),
      click.action === 'retry' ? eq('IsRetry', true) : null,
    );
    for await (const session of sessionsOf(job).queryJobSessions({
      filter,
      sort: { field: 'CreationTime', direction: 'asc' },
      limit: 5,
    })) {
      // the window reaches back for clock skew: the run before the click (or the alert's) is not the new one
      if (session.uid === click.alertJobSessionUid || session.uid === priorUid) continue;
      return session;
    }
    return null;
  }

  /** one row taken over: the click as it was, the job as EM has it now, then the follow-through */
  const takeOver = async (row: JobActionRow): Promise<boolean> => {
    const click: ActionClick = {
      action: row.action,
      jobUid: row.jobUid,
      userId: row.slackUser,
      channelId: row.channelId,
      messageTs: row.messageTs,
      alertId: row.alertId,
      alertJobName: row.jobName,
      alertJobSessionUid: null,
      clickKey: row.clickKey,
    };
    let job: EmJob;
    try {
      job = await deps.actions.getJob(row.jobUid.slice(row.jobUid.lastIndexOf(':') + 1));
    } catch (error) {
      // EM cannot be asked now: let go, the next look tries again
      log.warn({ err: toText(error) }, 'could not read the job of an action taken over');
      await store.actions.release(row.id, instanceId).catch(() => undefined);
      return false;
    }
    await audit(click, 'em_task', 'taken-over', {
      jobName: job.name,
      serverName: job.serverName,
      emTask: row.emTask,
      detail:
        'its follower stopped (a restart, or another instance); the task belongs to that logon session, so I look for the job session instead',
    });
    track(click, job, row, null);
    return true;
  };

  const resume = async (): Promise<number> => {
    if (stopped) return 0;
    const now = clock.now();
    const rows = await store.actions.claimUnfollowed(instanceId, now, new Date(now.getTime() - quietMs));
    let taken = 0;
    for (const row of rows) if (await takeOver(row)) taken += 1;
    return taken;
  };

  return {
    run,
    whoMay,
    async idle() {
      while (following.size > 0) await Promise.allSettled([...following]);
    },
    resume,
    async start() {
      await resume().catch((error: unknown) =>
        log.warn(
          { err: error instanceof Error ? error.message : String(error) },
          'could not resume job actions',
        ),
      );
      const every = deps.resumeEveryMs ?? 60_000;
      if (every > 0) {
        resumeTimer = setInterval(() => {
          void resume().catch(() => undefined);
        }, every);
        resumeTimer.unref();
      }
    },
    async stop() {
      stopped = true;
      if (resumeTimer !== undefined) clearInterval(resumeTimer);
      for (const id of [...followed]) await store.actions.release(id, instanceId).catch(() => undefined);
    },
  };
}

function toText(error: unknown): string {
  if (error instanceof ReplibotError) return `${error.message}${error.hint ? ` ${error.hint}` : ''}`;
  return 'something went wrong inside replibot (the log has the details).';
}
