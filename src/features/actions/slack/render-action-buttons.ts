/**
 * Job action buttons (pure Block Kit): each carries a Slack `confirm` dialog saying what will happen to which
 * job on which backup server, with `style: danger` for stop and pause, so nothing reaches EM before the person
 * has confirmed it. `renderJobActionButtons` is the one builder every surface uses (alerts, job answers, RPO
 * alerts): give it the job and what is known about its last run, get the buttons that make sense now.
 */
import type { Button } from '@slack/types';
import { describeJobAction, type EmJob, type JobAction, toJobActionLabel } from '../../../core/jobs.js';
import { escapeMrkdwn, toPlainText, truncateText } from '../../../slack/mrkdwn.js';

/** One registered `action_id` per action (constants of the listener that owns them). */
export const JOB_ACTION_IDS: Readonly<Record<JobAction, string>> = {
  retry: 'replibot_job_retry',
  start: 'replibot_job_start',
  stop: 'replibot_job_stop',
  pause: 'replibot_job_pause',
  resume: 'replibot_job_resume',
};

export interface ButtonJob {
  name: string;
  serverName: string | null;
  type: EmJob['type'];
}

export function renderJobActionButton(action: JobAction, job: ButtonJob, value: string): Button {
  const danger = action === 'stop' || action === 'pause';
  const where = job.serverName ? ` on backup server *${escapeMrkdwn(job.serverName)}*` : '';
  const what = `This will ${describeJobAction(action, job)}: job *${escapeMrkdwn(truncateText(job.name, 120))}*${where}. Enterprise Manager is told at once.`;
  return {
    type: 'button',
    action_id: JOB_ACTION_IDS[action],
    text: { type: 'plain_text', text: toJobActionLabel(action, job) },
    value,
    ...(danger ? { style: 'danger' as const } : action === 'retry' ? { style: 'primary' as const } : {}),
    confirm: {
      title: { type: 'plain_text', text: toPlainText(`${toJobActionLabel(action, job)}?`, 100) },
      text: { type: 'mrkdwn', text: truncateText(what, 300) },
      confirm: { type: 'plain_text', text: toPlainText(toJobActionLabel(action, job), 30) },
      deny: { type: 'plain_text', text: 'Cancel' },
      ...(danger ? { style: 'danger' as const } : {}),
    },
  };
}

export interface JobButtonState {
  /** the job's last run failed (Retry failed VMs) */
  lastRunFailed: boolean;
  /** a run is in progress (Stop instead of Start now) */
  running: boolean;
  scheduleEnabled: boolean | null;
}

/**
 * The buttons that make sense for a job now: Retry failed VMs (last run failed), Start now or Sync now (not
 * running), Stop (running), Pause schedule or Resume schedule (from ScheduleEnabled). `value(action)` gives the
 * signed value of each (src/features/actions/slack/action-value.ts).
 */
export function renderJobActionButtons(
  job: ButtonJob,
  state: JobButtonState,
  value: (action: JobAction) => string,
  only?: readonly JobAction[],
): Button[] {
  const actions: JobAction[] = [];
  if (state.lastRunFailed && !state.running) actions.push('retry');
  actions.push(state.running ? 'stop' : 'start');
  if (state.scheduleEnabled === true) actions.push('pause');
  if (state.scheduleEnabled === false) actions.push('resume');
  return actions
    .filter((a) => only === undefined || only.includes(a))
    .map((a) => renderJobActionButton(a, job, value(a)));
}
