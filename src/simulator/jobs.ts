/**
 * Jobs, job actions and EM tasks in the simulator: `GET /query?type=Job`, `GET /jobs/{ID}`, `POST /jobs/{ID}?action=
 * start|sync|stop|retry|toggleScheduleEnabled` (202 and a Task), `GET /tasks/{ID}` (Running on the first read,
 * then Finished with `Result Success=` and a Message), role checks (only Portal Administrator may touch /jobs, as
 * in EM: security_roles_concept.md) and the runs the actions start: start/sync make a new job session with one
 * running task per VM of the job, retry makes an `IsRetry` session for the VMs that failed in the last run. A run
 * stays running until the control API finishes it with the outcome a test chose (`POST /_sim/jobs/{name}/finish`).
 *
 * Tasks belong to the logon session that created them: another session gets 404, and a session that expired
 * cannot read them at all (401), as on a real EM. Jobs themselves are the simulator's replication jobs and its
 * backup jobs (every job the generators or the control API made, of every backup JobType: Backup, BackupCopy,
 * ImmediateBackupCopy, AgentBackup, NasBackup; the child jobs of sessions, ImmediateBackupCopyWorker and
 * AgentManagement, are not jobs of their own); their schedule and next run live here, beside the stores. A run
 * an action starts on a backup job is a backup job session of that job, in the backup store.
 */
import type { IncomingMessage } from 'node:http';
import type { LogonState } from './logon-sessions.js';
import { EmFilterError, type EmFilterNode, parseEmFilter } from './parse-em-filter.js';
import {
  entitiesJson,
  escapeXmlAttr,
  escapeXmlText,
  type Json,
  pagingJson,
  pagingXml,
  XML_DECL,
} from './render-em.js';
import type { Replies, Reply } from './replies.js';
import { type SimJob, type TaskRecord, toEmDateTime } from './sim-model.js';
import { SimInputError, type SimStore } from './sim-store.js';

export const SIM_JOB_TYPES = [
  'Replica',
  'Backup',
  'BackupCopy',
  'ImmediateBackupCopy',
  'AgentBackup',
  'NasBackup',
] as const;
export type SimJobType = (typeof SIM_JOB_TYPES)[number];

export const PORTAL_ADMINISTRATOR = 'PortalAdministrator';
export const PORTAL_USER = 'PortalUser';

interface JobSettings {
  type: SimJobType;
  scheduleEnabled: boolean;
  /** ms; null when the job has no schedule */
  nextRun: number | null;
  description: string;
}

interface SimTask {
  id: string;
  logonSessionId: string;
  operation: string;
  success: boolean;
  message: string;
  /** reads answered Running before Finished */
  runningReads: number;
  reads: number;
}

export interface SimJobRun {
  jobSessionUid: string;
  isRetry: boolean;
  creationTime: string;
  vms: string[];
  state: 'Running' | 'Finished';
}

export interface SimJobActionRecord {
  action: string;
  userName: string;
  at: string;
  taskId: string;
  success: boolean;
  message: string;
}

export interface SimJobs {
  /** `GET /query?type=Job` */
  query(url: URL, api: string, json: boolean, auth: LogonState): Reply;
  /** `/jobs/...` and `/tasks/...` */
  route(req: IncomingMessage, url: URL, api: string, json: boolean, auth: LogonState): Reply | null;
  /** `/_sim/jobs/...` (JSON in, JSON out) */
  control(method: string, parts: string[], body: Record<string, unknown>): { status: number; value: unknown };
  /** every action a job received, oldest first (tests read it through GET /_sim/jobs/{name}) */
  readonly actions: SimJobActionRecord[];
}

export interface SimJobsOptions {
  store: SimStore;
  /** the backup jobs and their sessions (start-simulator.ts's second store) */
  backupStore?: SimStore;
  replies: Replies;
  nowMs: () => number;
  /** drops a logon session (the control API's "expire the session right after an action") */
  expireLogon(token: string): void;
}

const ACTIONS = ['start', 'sync', 'stop', 'retry', 'togglescheduleenabled'] as const;
type SimAction = (typeof ACTIONS)[number];
const OPERATION: Record<SimAction, string> = {
  start: 'StartJob',
  sync: 'SyncJob',
  stop: 'StopJob',
  retry: 'RetryJob',
  togglescheduleenabled: 'ToggleScheduleEnabled',
};

const NS =
  'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.veeam.com/ent/v1.0"';

export function createSimJobs(options: SimJobsOptions): SimJobs {
  const { replies, nowMs } = options;
  const backupStore = options.backupStore;
  /** the store a job and its sessions live in: backup jobs carry their JobType, replication jobs none */
  const storeOf = (job: SimJob): SimStore =>
    job.jobType !== undefined && backupStore !== undefined ? backupStore : options.store;
  /** the child jobs of backup sessions are not jobs EM lists */
  const CHILD_TYPES = new Set(['ImmediateBackupCopyWorker', 'AgentManagement']);
  const allJobs = (): SimJob[] => [
    ...options.store.allJobs(),
    ...(backupStore?.allJobs().filter((job) => !CHILD_TYPES.has(job.jobType ?? '')) ?? []),
  ];
  const findById = (id: string): SimJob | null => {
    const found = options.store.findJob(id) ?? backupStore?.findJob(id) ?? null;
    return found !== null && CHILD_TYPES.has(found.jobType ?? '') ? null : found;
  };
  const settings = new Map<SimJob, JobSettings>();
  const tasks = new Map<string, SimTask>();
  const actions: SimJobActionRecord[] = [];
  let taskSerial = 0;
  let expireAfterAction = false;
  /** the reads a new task answers Running before it is Finished */
  let runningReads = 1;

  const settingsOf = (job: SimJob): JobSettings => {
    let found = settings.get(job);
    if (!found) {
      // scheduled daily at 22:00 UTC by default: the next one after now
      const day = 86_400_000;
      const now = nowMs();
      const next = Math.floor(now / day) * day + 22 * 3_600_000;
      found = {
        type: SIM_JOB_TYPES.find((t) => t === job.jobType) ?? 'Replica',
        scheduleEnabled: true,
        nextRun: next > now ? next : next + day,
        description: '',
      };
      settings.set(job, found);
    }
    return found;
  };

  const latestSession = (job: SimJob) => {
    const filter = parseEmFilter(`JobName=="${job.name.replace(/"/g, '""')}"`);
    const answer = storeOf(job).queryJobSessions({
      filter,
      sort: { field: 'CreationTime', direction: 'desc' },
      page: 1,
      pageSize: 1,
      now: nowMs(),
    });
    return answer.rows[0] ?? null;
  };

  /** as EM shows it now: a task whose end the backup server has not reported yet (a future end is not yet) */
  const stillRuns = (task: TaskRecord): boolean => task.end === null || task.finishVisibleFrom > nowMs();

  const isRunning = (job: SimJob): boolean => {
    const last = latestSession(job);
    return last !== null && last.end === null;
  };

  const findJob = (idOrName: string): SimJob | null =>
    findById(idOrName) ?? allJobs().find((job) => job.name === idOrName) ?? null;

  const jobLinks = (api: string, job: SimJob): string => {
    const id = storeOf(job).jobId(job);
    const href = `${api}/jobs/${id}`;
    const link = (rel: string, url: string, type?: string, name?: string) =>
      `<Link Href="${escapeXmlAttr(url)}"${name === undefined ? '' : ` Name="${escapeXmlAttr(name)}"`}${type === undefined ? '' : ` Type="${type}"`} Rel="${rel}" />`;
    return `<Links>${link('Up', `${api}/backupServers/${storeOf(job).serverId(job.server)}`, 'BackupServerReference', job.server.name)}${link('Alternate', href, 'JobReference', job.name)}${link('ToggleScheduleEnabled', `${href}?action=toggleScheduleEnabled`)}${link('Start', `${href}?action=start`)}${link('Stop', `${href}?action=stop`)}${link('Retry', `${href}?action=retry`)}</Links>`;
  };

  const jobXml = (api: string, job: SimJob, root: boolean): string => {
    const id = storeOf(job).jobId(job);
    const s = settingsOf(job);
    return `<Job${root ? ` ${NS}` : ''} Href="${escapeXmlAttr(`${api}/jobs/${id}?format=Entity`)}" Type="Job" Name="${escapeXmlAttr(job.name)}" UID="urn:veeam:Job:${id}">${jobLinks(api, job)}<JobType>${s.type}</JobType><Platform>VMware</Platform>${s.description === '' ? '<Description />' : `<Description>${escapeXmlText(s.description)}</Description>`}<ScheduleConfigured>${s.nextRun !== null}</ScheduleConfigured><ScheduleEnabled>${s.scheduleEnabled}</ScheduleEnabled>${s.nextRun === null ? '' : `<NextRun>${toEmDateTime(s.nextRun)}</NextRun>`}</Job>`;
  };

  const jobJson = (api: string, job: SimJob): Json => {
    const id = storeOf(job).jobId(job);
    const s = settingsOf(job);
    const href = `${api}/jobs/${id}`;
    return {
      JobType: s.type,
      Platform: 'VMware',
      Description: s.description,
      ScheduleConfigured: s.nextRun !== null,
      ScheduleEnabled: s.scheduleEnabled,
      NextRun: s.nextRun === null ? null : toEmDateTime(s.nextRun),
      JobScheduleOptions: null,
      JobInfo: null,
      Name: job.name,
      UID: `urn:veeam:Job:${id}`,
      Links: [
        {
          Rel: 'Up',
          Href: `${api}/backupServers/${storeOf(job).serverId(job.server)}`,
          Name: job.server.name,
          Type: 'BackupServerReference',
        },
        { Rel: 'Alternate', Href: href, Name: job.name, Type: 'JobReference' },
        { Rel: 'Start', Href: `${href}?action=start`, Name: null, Type: null },
      ],
      Href: `${href}?format=Entity`,
      Type: 'Job',
    };
  };

  const taskXml = (api: string, task: SimTask, finished: boolean): string => {
    const href = `${api}/tasks/${task.id}`;
    const result = finished
      ? `<Result Success="${task.success}"><Message>${escapeXmlText(task.message)}</Message></Result>`
      : '';
    return `${XML_DECL}<Task ${NS} Href="${escapeXmlAttr(href)}" Type="Task"><Links><Link Href="${escapeXmlAttr(href)}" Type="Task" Rel="Delete" /></Links><TaskId>${task.id}</TaskId><State>${finished ? 'Finished' : 'Running'}</State><Operation>${task.operation}</Operation>${result}</Task>`;
  };

  const taskJson = (api: string, task: SimTask, finished: boolean): Json => ({
    TaskId: task.id,
    State: finished ? 'Finished' : 'Running',
    Operation: task.operation,
    Result: finished ? { Success: task.success, Message: task.message } : null,
    Links: [{ Rel: 'Delete', Href: `${api}/tasks/${task.id}`, Name: null, Type: 'Task' }],
    Href: `${api}/tasks/${task.id}`,
    Type: 'Task',
  });

  const forbidden = (json: boolean): Reply =>
    replies.error(json, 403, 'Access denied. The account has no Portal Administrator role.');

  // --- runs --------------------------------------------------------------------------------------------------

  const startRun = (job: SimJob, vms: readonly string[], isRetry: boolean): void => {
    let jobSessionUid: string | undefined;
    const names = vms.length > 0 ? vms : job.vms.map((vm) => vm.name);
    for (const vm of names.length > 0 ? names : [`${job.name}-vm`]) {
      const task = storeOf(job).addTaskSession(
        {
          vm,
          job: job.name,
          state: 'InProgress',
          isRetry,
          ...(jobSessionUid === undefined ? {} : { jobSessionUid }),
        },
        nowMs(),
      );
      jobSessionUid ??= storeOf(job).jobSessionId(task.jobSession);
    }
  };

  const perform = (job: SimJob, action: SimAction): { success: boolean; message: string } => {
    const s = settingsOf(job);
    const running = isRunning(job);
    switch (action) {
      case 'start':
      case 'sync': {
        const copy = s.type === 'BackupCopy' || s.type === 'ImmediateBackupCopy';
        if (action === 'start' && copy)
          return { success: false, message: `Job "${job.name}" is a backup copy job: use sync.` };
        if (action === 'sync' && !copy)
          return { success: false, message: `Job "${job.name}" is not a backup copy job.` };
        if (running) return { success: false, message: `Job "${job.name}" is already running.` };
        startRun(job, [], false);
        return { success: true, message: `Job "${job.name}" triggered to ${action}.` };
      }
      case 'retry': {
        const last = latestSession(job);
        if (last === null || last.end === null || last.result !== 'Failed') {
          return {
            success: false,
            message: `Job "${job.name}" cannot be retried: its last run did not end with Failed.`,
          };
        }
        // a parent session (agent, immediate copy) has its items in its child sessions
        const items = last.record.children?.flatMap((c) => c.tasks) ?? last.record.tasks;
        const failed = items.filter((t) => t.result === 'Failed').map((t) => t.vm.name);
        startRun(job, failed, true);
        return { success: true, message: `Job "${job.name}" triggered to retry.` };
      }
      case 'stop': {
        if (!running) return { success: false, message: `Job "${job.name}" is not running.` };
        const last = latestSession(job);
        for (const task of last?.record.tasks ?? []) {
          if (stillRuns(task))
            storeOf(job).finishTaskSession(
              storeOf(job).taskId(task),
              { result: 'Failed', reason: 'Job has been stopped by user' },
              nowMs(),
            );
        }
        return { success: true, message: `Job "${job.name}" triggered to stop.` };
      }
      case 'togglescheduleenabled':
        s.scheduleEnabled = !s.scheduleEnabled;
        return {
          success: true,
          message: `Job "${job.name}" schedule is ${s.scheduleEnabled ? 'enabled' : 'disabled'}.`,
        };
    }
  };

  // --- /api --------------------------------------------------------------------------------------------------

  const query = (url: URL, api: string, json: boolean, auth: LogonState): Reply => {
    if (!auth.roles.includes(PORTAL_ADMINISTRATOR)) return forbidden(json);
    const params = new Map<string, string>();
    for (const [key, value] of url.searchParams) params.set(key.toLowerCase(), value);
    const pageSize = Number(params.get('pagesize') ?? '100');
    const page = Number(params.get('page') ?? '1');
    if (!Number.isSafeInteger(pageSize) || pageSize < 1 || !Number.isSafeInteger(page) || page < 1)
      return replies.error(json, 400, 'pageSize and page must be whole numbers greater than 0.');
    let predicate: (job: SimJob) => boolean = () => true;
    const filterText = params.get('filter') ?? '';
    try {
      if (filterText.trim() !== '')
        predicate = compileJobFilter(parseEmFilter(filterText), storeOf, settingsOf);
    } catch (error) {
      if (error instanceof EmFilterError) return replies.error(json, 400, `Invalid query: ${error.message}`);
      throw error;
    }
    const sortAsc = params.get('sortasc');
    const sortDesc = params.get('sortdesc');
    const sortField = (sortAsc ?? sortDesc ?? 'name').toLowerCase();
    if (sortField !== 'name' && sortField !== 'nextrun')
      return replies.error(json, 400, `Unknown sort parameter '${sortAsc ?? sortDesc}' for type Job.`);
    const sign = sortDesc ? -1 : 1;
    const matches = allJobs()
      .filter(predicate)
      .sort((a, b) => {
        if (sortField === 'nextrun')
          return ((settingsOf(a).nextRun ?? 0) - (settingsOf(b).nextRun ?? 0)) * sign;
        return a.name.localeCompare(b.name) * sign;
      });
    const rows = matches.slice((page - 1) * pageSize, page * pageSize);
    const pagesCount = Math.max(1, Math.ceil(matches.length / pageSize));
    const base = `${api}/query?type=Job&format=Entities${filterText === '' ? '' : `&filter=${encodeURIComponent(filterText)}`}`;
    const paging = {
      pageNum: page,
      pageSize,
      pagesCount,
      links: [
        { rel: 'First', href: `${base}&pageSize=${pageSize}&page=1` },
        ...(page < pagesCount
          ? [{ rel: 'Next', href: `${base}&pageSize=${pageSize}&page=${page + 1}` }]
          : []),
        { rel: 'Last', href: `${base}&pageSize=${pageSize}&page=${pagesCount}` },
      ],
    };
    if (json) {
      return replies.json(200, {
        Refs: null,
        Entities: entitiesJson(
          'Jobs',
          rows.map((job) => jobJson(api, job)),
        ),
        Resources: null,
        Links: null,
        PagingInfo: pagingJson(paging),
      });
    }
    return replies.xml(
      200,
      `${XML_DECL}<QueryResult ${NS}><Entities><Jobs>${rows.map((job) => jobXml(api, job, false)).join('')}</Jobs></Entities>${pagingXml(paging)}</QueryResult>`,
    );
  };

  const route = (
    req: IncomingMessage,
    url: URL,
    api: string,
    json: boolean,
    auth: LogonState,
  ): Reply | null => {
    const method = req.method ?? 'GET';
    const segments = url.pathname
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
    const kind = segments[1]?.toLowerCase();
    if (kind === 'tasks' && segments.length === 3) {
      if (method !== 'GET')
        return replies.error(json, 405, `Method ${method} is not allowed on ${url.pathname}.`);
      const task = tasks.get(segments[2] ?? '');
      // another logon session's task is not there for this one
      if (!task || task.logonSessionId !== auth.sessionId)
        return replies.error(json, 404, `Task ${segments[2]} was not found.`);
      task.reads += 1;
      const finished = task.reads > task.runningReads;
      return json
        ? replies.json(200, taskJson(api, task, finished))
        : replies.xml(200, taskXml(api, task, finished));
    }
    if (kind !== 'jobs' || segments.length !== 3) return null;
    if (!auth.roles.includes(PORTAL_ADMINISTRATOR)) return forbidden(json);
    const job = findById(segments[2] ?? '');
    if (!job) return replies.error(json, 404, `Job ${segments[2]} was not found.`);
    if (method === 'GET') {
      if ((url.searchParams.get('format') ?? '').toLowerCase() === 'entity') {
        return json
          ? replies.json(200, jobJson(api, job))
          : replies.xml(200, XML_DECL + jobXml(api, job, true));
      }
      const id = storeOf(job).jobId(job);
      return json
        ? replies.json(200, {
            Name: job.name,
            UID: `urn:veeam:Job:${id}`,
            Href: `${api}/jobs/${id}`,
            Type: 'JobReference',
          })
        : replies.xml(
            200,
            `${XML_DECL}<EntityRef ${NS} Href="${escapeXmlAttr(`${api}/jobs/${id}`)}" Name="${escapeXmlAttr(job.name)}" UID="urn:veeam:Job:${id}" Type="JobReference" />`,
          );
    }
    if (method !== 'POST')
      return replies.error(json, 405, `Method ${method} is not allowed on ${url.pathname}.`);
    const actionParam = (url.searchParams.get('action') ?? '').toLowerCase();
    const action = ACTIONS.find((a) => a === actionParam);
    if (action === undefined)
      return replies.error(json, 400, `Unknown action '${url.searchParams.get('action') ?? ''}' for a job.`);
    const outcome = perform(job, action);
    taskSerial += 1;
    const task: SimTask = {
      id: `task-${taskSerial}`,
      logonSessionId: auth.sessionId,
      operation: OPERATION[action],
      success: outcome.success,
      message: outcome.message,
      runningReads,
      reads: 0,
    };
    tasks.set(task.id, task);
    actions.push({
      action,
      userName: auth.userName,
      at: new Date(nowMs()).toISOString(),
      taskId: task.id,
      success: outcome.success,
      message: outcome.message,
    });
    if (expireAfterAction) options.expireLogon(auth.token);
    // the 202 body is the bare Task, as the EM examples show
    return json
      ? replies.json(202, {
          TaskId: task.id,
          State: 'Running',
          Operation: task.operation,
          Href: `${api}/tasks/${task.id}`,
          Type: 'Task',
        })
      : replies.xml(
          202,
          `${XML_DECL}<Task ${NS} Href="${escapeXmlAttr(`${api}/tasks/${task.id}`)}" Type="Task"><TaskId>${task.id}</TaskId><State>Running</State><Operation>${task.operation}</Operation></Task>`,
        );
  };

  // --- /_sim/jobs ----------------------------------------------------------------------------------------------

  const describe = (job: SimJob) => {
    const s = settingsOf(job);
    const jobStore = storeOf(job);
    const sessionType = jobStore === options.store ? 'ReplicaJobSession' : 'BackupJobSession';
    const runs: SimJobRun[] = jobStore
      .jobSessionsSince(0, Number.POSITIVE_INFINITY)
      .filter((view) => view.record.job === job)
      .map((view) => ({
        jobSessionUid: `urn:veeam:${sessionType}:${jobStore.jobSessionId(view.record)}`,
        isRetry: view.record.isRetry,
        creationTime: new Date(view.creation).toISOString(),
        vms: view.record.tasks.map((t) => t.vm.name),
        state: view.record.tasks.some(stillRuns) ? ('Running' as const) : ('Finished' as const),
      }));
    return {
      id: jobStore.jobId(job),
      uid: `urn:veeam:Job:${jobStore.jobId(job)}`,
      name: job.name,
      server: job.server.name,
      type: s.type,
      scheduleEnabled: s.scheduleEnabled,
      nextRun: s.nextRun === null ? null : new Date(s.nextRun).toISOString(),
      runs,
      actions: actions.filter((a) => a.message.includes(`"${job.name}"`)),
    };
  };

  const control = (
    method: string,
    parts: string[],
    body: Record<string, unknown>,
  ): { status: number; value: unknown } => {
    // parts: ['_sim', 'jobs', ...]
    if (parts.length === 3 && parts[2] === 'options' && method === 'POST') {
      if (body.expireSessionAfterAction !== undefined)
        expireAfterAction = body.expireSessionAfterAction === true;
      if (body.taskRunningReads !== undefined) {
        const n = body.taskRunningReads;
        if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
          throw new SimInputError('taskRunningReads must be a whole number');
        runningReads = n;
      }
      return {
        status: 200,
        value: { expireSessionAfterAction: expireAfterAction, taskRunningReads: runningReads },
      };
    }
    if (parts.length < 3) {
      if (method === 'GET') return { status: 200, value: allJobs().map(describe) };
      throw new SimInputError(`Unknown control endpoint ${method} /_sim/jobs`, true);
    }
    const job = findJob(decodeURIComponent(parts[2] ?? ''));
    if (!job) throw new SimInputError(`No job ${parts[2]}`, true);
    if (parts.length === 3 && method === 'GET') return { status: 200, value: describe(job) };
    if (parts.length === 3 && method === 'POST') {
      const s = settingsOf(job);
      if (body.type !== undefined) {
        const type = SIM_JOB_TYPES.find((t) => t === body.type);
        if (type === undefined) throw new SimInputError(`type must be one of ${SIM_JOB_TYPES.join(', ')}`);
        s.type = type;
      }
      if (body.scheduleEnabled !== undefined) s.scheduleEnabled = body.scheduleEnabled === true;
      if (body.nextRun !== undefined) {
        const ms = body.nextRun === null ? null : Date.parse(String(body.nextRun));
        if (ms !== null && Number.isNaN(ms)) throw new SimInputError('nextRun must be a date or null');
        s.nextRun = ms;
      }
      if (typeof body.description === 'string') s.description = body.description;
      return { status: 200, value: describe(job) };
    }
    if (parts.length === 4 && parts[3] === 'finish' && method === 'POST') {
      const result = body.result;
      if (result !== 'Success' && result !== 'Warning' && result !== 'Failed')
        throw new SimInputError('result must be Success, Warning or Failed');
      const last = latestSession(job);
      const open = last?.record.tasks.filter(stillRuns) ?? [];
      if (open.length === 0) throw new SimInputError(`Job ${job.name} has no running run`, true);
      for (const task of open) {
        storeOf(job).finishTaskSession(
          storeOf(job).taskId(task),
          { result, ...(typeof body.reason === 'string' ? { reason: body.reason } : {}) },
          nowMs(),
        );
      }
      return { status: 200, value: describe(job) };
    }
    throw new SimInputError(`Unknown control endpoint ${method} /${parts.join('/')}`, true);
  };

  return { query, route, control, actions };
}

/** `Name`, `JobType`, `ScheduleEnabled`, `UID`, `BackupServerName` with `==`/`!=`, `;` and `,`. */
function compileJobFilter(
  node: EmFilterNode,
  storeOf: (job: SimJob) => SimStore,
  settingsOf: (job: SimJob) => JobSettings,
): (job: SimJob) => boolean {
  if (node.kind !== 'cmp') {
    const items = node.items.map((item) => compileJobFilter(item, storeOf, settingsOf));
    return node.kind === 'and' ? (job) => items.every((p) => p(job)) : (job) => items.some((p) => p(job));
  }
  const get: Record<string, (job: SimJob) => string> = {
    name: (job) => job.name.toLowerCase(),
    jobtype: (job) => settingsOf(job).type.toLowerCase(),
    scheduleenabled: (job) => String(settingsOf(job).scheduleEnabled),
    uid: (job) => `urn:veeam:job:${storeOf(job).jobId(job)}`,
    backupservername: (job) => job.server.lower,
  };
  const read = get[node.field.toLowerCase()];
  if (read === undefined) throw new EmFilterError(`Unknown field '${node.field}' for type Job.`);
  if (node.op !== '==' && node.op !== '!=')
    throw new EmFilterError(`Operator ${node.op} is not supported for ${node.field}.`);
  const value = node.value.toLowerCase();
  return node.op === '==' ? (job) => read(job) === value : (job) => read(job) !== value;
}
