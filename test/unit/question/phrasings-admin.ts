/**
 * More phrasings, the way Veeam admins type them (forum threads, chat habits): possessives, "from yesterday",
 * zones named in the question, one typo, "everything", names EM knows. Judged by what each selects (the EM
 * filter, sort and limit); expected instants worked out by hand as in phrasings.ts. Rows with `names` are read
 * with that name catalogue (kind<TAB>name lines, as `replibot parse --names` takes them).
 */
import type { Phrasing } from './phrasings.js';

export interface AdminPhrasing extends Phrasing {
  /** the answer kind the question asks for; 'list' unless given */
  answer?: string;
  /** corrections said in the answer ("faild>failed") */
  corrections?: string[];
  /** read with the name catalogue below */
  names?: boolean;
  /** a backup question: read with the kind words first (read-kind.ts); replication unless given */
  kind?: 'backup';
}

const ge = (iso: string) => `CreationTime>="${iso}"`;
const lt = (iso: string) => `CreationTime<"${iso}"`;
const range = (from: string, to: string) => `${ge(from)};${lt(to)}`;

/** Monday 23 Nov 2026, 11:05 in Berlin (CET, UTC+1) */
const TODAY = ge('2026-11-22T23:00:00.000Z');
const LAST24 = ge('2026-11-22T10:05:00.000Z');
const YESTERDAY = range('2026-11-21T23:00:00.000Z', '2026-11-22T23:00:00.000Z');
const DAY_BEFORE = range('2026-11-20T23:00:00.000Z', '2026-11-21T23:00:00.000Z');
const FRIDAY = range('2026-11-19T23:00:00.000Z', '2026-11-20T23:00:00.000Z');
const LAST_WEEK = range('2026-11-15T23:00:00.000Z', '2026-11-22T23:00:00.000Z');
const THIS_WEEK = ge('2026-11-22T23:00:00.000Z');
const THIS_MONTH = ge('2026-10-31T23:00:00.000Z');
/** October 2026: 1 Oct is still summer time (UTC+2) */
const LAST_MONTH = range('2026-09-30T22:00:00.000Z', '2026-10-31T23:00:00.000Z');
const LAST_WEEKEND = range('2026-11-20T23:00:00.000Z', '2026-11-22T23:00:00.000Z');
const PAST_2_WEEKS = ge('2026-11-09T10:05:00.000Z');
const PAST_3_DAYS = ge('2026-11-20T10:05:00.000Z');
const LAST30 = ge('2026-10-24T09:05:00.000Z');
const FAILED = 'Result==Failed';
const WARNING = 'Result==Warning';
const SUCCESS = 'Result==Success';
const PROBLEMS = '(Result==Warning,Result==Failed)';

/** The catalogue the `names: true` rows are read with */
export const CATALOGUE_LINES = [
  'vm\tapache02',
  'vm\tubuntu88',
  'vm\tweb01',
  'vm\tSQL Server 01',
  'vm\tdc01',
  'vm\texchange-mbx1',
  'job\tSQL Replica',
  'job\tWeb replicas',
  'job\tDomain Controllers',
  'job\tExchange DAG Replica',
  'job\tweb01',
  'server\tsrv02.tech.local',
  'server\tvbr01',
];

export const ADMIN_PHRASINGS: readonly AdminPhrasing[] = [
  // everything, all, every VM: no name filter
  { q: 'how did everything do this month', filter: THIS_MONTH },
  { q: 'how did everything go yesterday', filter: YESTERDAY },
  { q: 'failures for every vm today', filter: `${FAILED};${TODAY}` },
  { q: 'failures for all vms today', filter: `${FAILED};${TODAY}` },
  { q: 'failures of all jobs today', filter: `${FAILED};${TODAY}` },
  { q: 'did anything fail over the weekend', filter: `${FAILED};${LAST_WEEKEND}` },
  { q: 'show me everything from yesterday', filter: YESTERDAY },
  { q: 'everything that failed today', filter: `${FAILED};${TODAY}` },
  { q: 'status of every vm', filter: LAST24 },
  { q: 'warnings on each server yesterday', filter: `${WARNING};${YESTERDAY}`, answer: 'ranking' },

  // from yesterday = yesterday
  {
    q: 'list failed replication jobs from yesterday',
    filter: `${FAILED};${YESTERDAY}`,
    type: 'ReplicaJobSession',
  },
  { q: 'failures from yesterday', filter: `${FAILED};${YESTERDAY}` },
  { q: 'errors from friday', filter: `${FAILED};${FRIDAY}` },
  { q: 'failed replicas from last week', filter: `${FAILED};${LAST_WEEK}` },
  { q: 'failures from this week', filter: `${FAILED};${THIS_WEEK}` },
  { q: 'failed from 08:00', filter: `${FAILED};${ge('2026-11-23T07:00:00.000Z')}` },

  // possessives
  { q: "yesterday's failed replicas", filter: `${FAILED};${YESTERDAY}` },
  { q: "last week's failures", filter: `${FAILED};${LAST_WEEK}` },
  { q: "today's warnings", filter: `${WARNING};${TODAY}` },
  { q: 'yesterday’s problems', filter: `${PROBLEMS};${YESTERDAY}` },
  {
    q: "last night's failures",
    filter: `${FAILED};${range('2026-11-22T17:00:00.000Z', '2026-11-23T05:00:00.000Z')}`,
  },
  { q: "this month's failed replication jobs", filter: `${FAILED};${THIS_MONTH}`, type: 'ReplicaJobSession' },
  { q: "apache02's failures today", filter: `${FAILED};VmDisplayName=="apache02";${TODAY}` },
  {
    q: "what were ubuntu88's warnings yesterday",
    filter: `${WARNING};VmDisplayName=="ubuntu88";${YESTERDAY}`,
  },

  // from/over/during/within/in the past|last N units
  {
    q: 'show failed replicas for vm apache02 from the past 2 weeks',
    filter: `${FAILED};VmDisplayName=="apache02";${PAST_2_WEEKS}`,
  },
  { q: 'failures over the past 3 days', filter: `${FAILED};${PAST_3_DAYS}` },
  { q: 'failures over the last 3 days', filter: `${FAILED};${PAST_3_DAYS}` },
  { q: 'errors during the past 3 days', filter: `${FAILED};${PAST_3_DAYS}` },
  { q: 'failed within the last 3 days', filter: `${FAILED};${PAST_3_DAYS}` },
  { q: 'failures in the past 2 weeks', filter: `${FAILED};${PAST_2_WEEKS}` },
  { q: 'problems from the last 3 days', filter: `${PROBLEMS};${PAST_3_DAYS}` },
  { q: 'warnings within the past 24 hours', filter: `${WARNING};${LAST24}` },
  { q: 'failures during last week', filter: `${FAILED};${LAST_WEEK}` },

  // more days and weeks
  { q: 'failed the day before yesterday', filter: `${FAILED};${DAY_BEFORE}` },
  { q: 'day before yesterday failures', filter: `${FAILED};${DAY_BEFORE}` },
  { q: 'failed 3 days ago', filter: `${FAILED};${FRIDAY}` },
  { q: 'failures this month', filter: `${FAILED};${THIS_MONTH}` },
  { q: 'failed replicas last month', filter: `${FAILED};${LAST_MONTH}` },
  { q: 'failed last weekend', filter: `${FAILED};${LAST_WEEKEND}` },
  { q: 'failures over the weekend', filter: `${FAILED};${LAST_WEEKEND}` },
  { q: 'weekend failures', filter: `${FAILED};${LAST_WEEKEND}` },
  { q: 'failed past fortnight', filter: `${FAILED};${PAST_2_WEEKS}` },
  { q: 'problems in the last fortnight', filter: `${PROBLEMS};${PAST_2_WEEKS}` },
  { q: 'failures since 6pm', filter: `${FAILED};${ge('2026-11-22T17:00:00.000Z')}` },
  {
    q: 'failed tonight',
    now: '2026-11-23T20:00:00.000Z',
    filter: `${FAILED};${range('2026-11-23T17:00:00.000Z', '2026-11-24T05:00:00.000Z')}`,
  },
  // this weekend, asked on Sunday 22 Nov 15:00 Berlin: the weekend under way
  {
    q: 'failures this weekend',
    now: '2026-11-22T14:00:00.000Z',
    filter: `${FAILED};${ge('2026-11-20T23:00:00.000Z')}`,
  },
  // last weekend asked on that Sunday: the weekend before
  {
    q: 'failures last weekend',
    now: '2026-11-22T14:00:00.000Z',
    filter: `${FAILED};${range('2026-11-13T23:00:00.000Z', '2026-11-15T23:00:00.000Z')}`,
  },

  // a zone in the question
  { q: 'failed today in Europe/Berlin time', tz: 'UTC', filter: `${FAILED};${TODAY}` },
  { q: 'failed today Berlin time', tz: 'America/New_York', filter: `${FAILED};${TODAY}` },
  { q: 'failed today UTC', filter: `${FAILED};${ge('2026-11-23T00:00:00.000Z')}` },
  { q: 'failed today in UTC', filter: `${FAILED};${ge('2026-11-23T00:00:00.000Z')}` },
  {
    q: 'failures yesterday GMT',
    filter: `${FAILED};${range('2026-11-22T00:00:00.000Z', '2026-11-23T00:00:00.000Z')}`,
  },
  { q: 'failed since 08:00 New York time', filter: `${FAILED};${ge('2026-11-22T13:00:00.000Z')}` },
  { q: 'failed today Tokyo time', filter: `${FAILED};${ge('2026-11-22T15:00:00.000Z')}` },
  {
    q: 'failures yesterday in asia/kolkata',
    filter: `${FAILED};${range('2026-11-21T18:30:00.000Z', '2026-11-22T18:30:00.000Z')}`,
  },

  // other zones, as in phrasings.ts
  {
    q: "yesterday's failed replicas",
    tz: 'America/New_York',
    filter: `${FAILED};${range('2026-11-22T05:00:00.000Z', '2026-11-23T05:00:00.000Z')}`,
  },
  {
    q: 'failures from yesterday',
    tz: 'Asia/Tokyo',
    filter: `${FAILED};${range('2026-11-21T15:00:00.000Z', '2026-11-22T15:00:00.000Z')}`,
  },
  {
    q: 'failed the day before yesterday',
    tz: 'UTC',
    filter: `${FAILED};${range('2026-11-21T00:00:00.000Z', '2026-11-22T00:00:00.000Z')}`,
  },
  { q: 'how did everything do today', tz: 'Pacific/Auckland', filter: ge('2026-11-22T11:00:00.000Z') },
  {
    q: 'failed last weekend',
    tz: 'Asia/Kolkata',
    filter: `${FAILED};${range('2026-11-20T18:30:00.000Z', '2026-11-22T18:30:00.000Z')}`,
  },

  // one typo in a grammar word
  { q: 'replicas faild today', filter: `${FAILED};${TODAY}`, corrections: ['faild>failed'] },
  { q: 'warnigns yesterday', filter: `${WARNING};${YESTERDAY}`, corrections: ['warnigns>warnings'] },
  { q: 'fialed replicas yesterday', filter: `${FAILED};${YESTERDAY}`, corrections: ['fialed>failed'] },
  { q: 'sucessful replicas today', filter: `${SUCCESS};${TODAY}`, corrections: ['sucessful>successful'] },
  { q: 'failed replicas yesterdy', filter: `${FAILED};${YESTERDAY}`, corrections: ['yesterdy>yesterday'] },
  { q: 'runnig replicas', filter: 'State==InProgress', corrections: ['runnig>running'] },
  { q: 'pendng jobs', filter: 'State==Starting', type: 'ReplicaJobSession', corrections: ['pendng>pending'] },
  { q: 'erors tody', filter: `${FAILED};${TODAY}`, corrections: ['erors>errors', 'tody>today'] },

  // names EM knows (read with CATALOGUE_LINES)
  {
    q: 'apache02 failures 2d',
    names: true,
    filter: `${FAILED};VmDisplayName=="apache02";${ge('2026-11-21T10:05:00.000Z')}`,
  },
  { q: 'is apache02 replicating', names: true, filter: `VmDisplayName=="apache02";${LAST24}` },
  { q: 'apache02 failed today', names: true, filter: `${FAILED};VmDisplayName=="apache02";${TODAY}` },
  {
    q: 'APACHE02 warnings yesterday',
    names: true,
    filter: `${WARNING};VmDisplayName=="apache02";${YESTERDAY}`,
  },
  { q: 'ubuntu88 status', names: true, filter: `VmDisplayName=="ubuntu88";${LAST24}` },
  {
    q: 'apache02 and ubuntu88 failed today',
    names: true,
    filter: `${FAILED};(VmDisplayName=="apache02",VmDisplayName=="ubuntu88");${TODAY}`,
  },
  {
    q: 'failures in job SQL Replica this week',
    names: true,
    filter: `${FAILED};JobName=="SQL Replica";${THIS_WEEK}`,
  },
  {
    q: 'failures for SQL Server 01',
    names: true,
    filter: `${FAILED};VmDisplayName=="SQL Server 01";${LAST24}`,
  },
  {
    q: 'failures for sql server 01 today',
    names: true,
    filter: `${FAILED};VmDisplayName=="SQL Server 01";${TODAY}`,
  },
  {
    q: 'SQL Replica failures yesterday',
    names: true,
    filter: `${FAILED};JobName=="SQL Replica";${YESTERDAY}`,
  },
  { q: 'in SQL Replica failed today', names: true, filter: `${FAILED};JobName=="SQL Replica";${TODAY}` },
  {
    q: 'how is Exchange DAG Replica doing',
    names: true,
    filter: `JobName=="Exchange DAG Replica";${LAST24}`,
  },
  { q: 'how did dc01 do this week', names: true, filter: `VmDisplayName=="dc01";${THIS_WEEK}` },
  { q: 'failures on vbr01', names: true, filter: `${FAILED};BackupServerName=="vbr01";${LAST24}` },
  {
    q: 'srv02.tech.local problems today',
    names: true,
    filter: `${PROBLEMS};BackupServerName=="srv02.tech.local";${TODAY}`,
  },
  { q: 'failures for vm web01 today', names: true, filter: `${FAILED};VmDisplayName=="web01";${TODAY}` },
  { q: 'failures in job web01 today', names: true, filter: `${FAILED};JobName=="web01";${TODAY}` },
  {
    q: "apache02's failures this week",
    names: true,
    filter: `${FAILED};VmDisplayName=="apache02";${THIS_WEEK}`,
  },
  {
    q: 'domain controllers failed last night',
    names: true,
    filter: `${FAILED};JobName=="Domain Controllers";${range('2026-11-22T17:00:00.000Z', '2026-11-23T05:00:00.000Z')}`,
  },
  { q: 'web replicas warnings', names: true, filter: `${WARNING};JobName=="Web replicas";${LAST24}` },
  // a near miss of one name EM knows, said in the answer
  {
    q: 'apache2 failures today',
    names: true,
    filter: `${FAILED};VmDisplayName=="apache02";${TODAY}`,
    corrections: ['apache2>apache02'],
  },
  {
    q: 'failures for apahce02 today',
    names: true,
    filter: `${FAILED};VmDisplayName=="apache02";${TODAY}`,
    corrections: ['apahce02>apache02'],
  },
  {
    q: 'ubuntu088 failed yesterday',
    names: true,
    filter: `${FAILED};VmDisplayName=="ubuntu88";${YESTERDAY}`,
    corrections: ['ubuntu088>ubuntu88'],
  },
  {
    q: 'failures on server vbr1',
    names: true,
    filter: `${FAILED};BackupServerName=="vbr01";${LAST24}`,
    corrections: ['vbr1>vbr01'],
  },
  {
    q: 'apache2 faild today',
    names: true,
    filter: `${FAILED};VmDisplayName=="apache02";${TODAY}`,
    corrections: ['apache2>apache02', 'faild>failed'],
  },

  // yes or no
  {
    q: 'did apache02 replicate successfully today',
    names: true,
    answer: 'yes-no',
    filter: `${SUCCESS};VmDisplayName=="apache02";${TODAY}`,
  },
  {
    q: 'did apache02 fail today',
    names: true,
    answer: 'yes-no',
    filter: `${FAILED};VmDisplayName=="apache02";${TODAY}`,
  },
  {
    q: 'has apache02 failed this week?',
    names: true,
    answer: 'yes-no',
    filter: `${FAILED};VmDisplayName=="apache02";${THIS_WEEK}`,
  },
  {
    q: 'did job SQL Replica succeed last night',
    answer: 'yes-no',
    filter: `${SUCCESS};JobName=="SQL Replica";${range('2026-11-22T17:00:00.000Z', '2026-11-23T05:00:00.000Z')}`,
  },
  {
    q: 'were there any warnings for dc01 yesterday',
    names: true,
    answer: 'yes-no',
    filter: `${WARNING};VmDisplayName=="dc01";${YESTERDAY}`,
  },
  {
    q: 'is apache02 running',
    names: true,
    answer: 'yes-no',
    filter: 'State==InProgress;VmDisplayName=="apache02"',
  },
  {
    q: 'did ubuntu88 have problems over the weekend',
    names: true,
    answer: 'yes-no',
    filter: `${PROBLEMS};VmDisplayName=="ubuntu88";${LAST_WEEKEND}`,
  },
  {
    q: 'did the SQL Replica job fail today',
    names: true,
    answer: 'yes-no',
    type: 'ReplicaJobSession',
    filter: `${FAILED};JobName=="SQL Replica";${TODAY}`,
  },
  {
    q: 'did apache02 replicate successfully today',
    tz: 'America/New_York',
    names: true,
    answer: 'yes-no',
    filter: `${SUCCESS};VmDisplayName=="apache02";${ge('2026-11-23T05:00:00.000Z')}`,
  },
  { q: 'did everything succeed today', filter: `${SUCCESS};${TODAY}` },

  // the last good copy
  {
    q: 'when did apache02 last replicate successfully',
    names: true,
    answer: 'last-success',
    filter: `${SUCCESS};VmDisplayName=="apache02";${LAST30}`,
  },
  {
    q: 'when was apache02 last replicated successfully',
    names: true,
    answer: 'last-success',
    filter: `${SUCCESS};VmDisplayName=="apache02";${LAST30}`,
  },
  {
    q: 'last successful replica of job SQL Replica',
    answer: 'last-success',
    filter: `${SUCCESS};JobName=="SQL Replica";${LAST30}`,
  },
  {
    q: 'last successful replica for apache02',
    names: true,
    answer: 'last-success',
    filter: `${SUCCESS};VmDisplayName=="apache02";${LAST30}`,
  },
  {
    q: 'last good replica of dc01',
    names: true,
    answer: 'last-success',
    filter: `${SUCCESS};VmDisplayName=="dc01";${LAST30}`,
  },
  {
    q: 'when did ubuntu88 and dc01 last succeed',
    names: true,
    answer: 'last-success',
    filter: `${SUCCESS};(VmDisplayName=="ubuntu88",VmDisplayName=="dc01");${LAST30}`,
  },
  {
    q: 'which VMs have not replicated successfully for 24 hours',
    answer: 'last-success',
    filter: `${SUCCESS};${LAST30}`,
  },
  {
    q: "which vms haven't replicated successfully in 2 days",
    answer: 'last-success',
    filter: `${SUCCESS};${LAST30}`,
  },
  {
    q: 'VMs without a successful replica in the last 24 hours',
    answer: 'last-success',
    filter: `${SUCCESS};${LAST30}`,
  },
  {
    q: 'jobs that have not run successfully since yesterday',
    answer: 'last-success',
    filter: `${SUCCESS};${LAST30}`,
    type: 'ReplicaJobSession',
  },
  // the same, of backups
  {
    q: 'when did vm srv04 last back up successfully',
    kind: 'backup',
    answer: 'last-success',
    filter: `${SUCCESS};VmDisplayName=="srv04";${LAST30}`,
  },
  {
    q: 'which VMs have not backed up successfully for 24 hours',
    kind: 'backup',
    answer: 'last-success',
    filter: `${SUCCESS};${LAST30}`,
  },
  { q: 'immediate copy failed this week', kind: 'backup', filter: `${FAILED};${THIS_WEEK}` },
  {
    q: 'immediate copy jobs failed this week',
    kind: 'backup',
    type: 'ReplicaJobSession',
    filter: `(${FAILED};${THIS_WEEK});(JobType=="BackupCopy",JobType=="ImmediateBackupCopy",JobType=="ImmediateBackupCopyWorker")`,
  },
  {
    q: 'which VMs have not replicated successfully for 24 hours',
    tz: 'Asia/Tokyo',
    answer: 'last-success',
    // EM's 30 days are calendar days in the asker's zone: Tokyo has no summer time, 19:05 JST on 24 Oct
    filter: `${SUCCESS};${ge('2026-10-24T10:05:00.000Z')}`,
  },

  // rankings and counts
  { q: 'which VMs failed the most this week', answer: 'ranking', filter: `${FAILED};${THIS_WEEK}` },
  { q: 'VMs with the most failures this month', answer: 'ranking', filter: `${FAILED};${THIS_MONTH}` },
  {
    q: 'top 5 failing jobs this month',
    answer: 'ranking',
    type: 'ReplicaJobSession',
    filter: `${FAILED};${THIS_MONTH}`,
  },
  { q: 'top 10 failing vms last week', answer: 'ranking', filter: `${FAILED};${LAST_WEEK}` },
  { q: 'how many replicas failed per job yesterday', answer: 'ranking', filter: `${FAILED};${YESTERDAY}` },
  { q: 'failures per vm this week', answer: 'ranking', filter: `${FAILED};${THIS_WEEK}` },
  { q: 'warnings by server today', answer: 'ranking', filter: `${WARNING};${TODAY}` },
  {
    q: 'count of failures by job last 7 days',
    answer: 'ranking',
    filter: `${FAILED};${ge('2026-11-16T10:05:00.000Z')}`,
  },
  {
    q: 'success rate of job SQL Replica this week',
    answer: 'ranking',
    filter: `JobName=="SQL Replica";${THIS_WEEK}`,
  },
  { q: 'success rate per job this month', answer: 'ranking', filter: THIS_MONTH },
  {
    q: 'success rate for apache02 last week',
    names: true,
    answer: 'ranking',
    filter: `VmDisplayName=="apache02";${LAST_WEEK}`,
  },
  { q: 'VMs that failed more than twice this week', answer: 'ranking', filter: `${FAILED};${THIS_WEEK}` },
  {
    q: 'vms that failed more than 3 times in the last 7 days',
    answer: 'ranking',
    filter: `${FAILED};${ge('2026-11-16T10:05:00.000Z')}`,
  },
  {
    q: 'which jobs failed at least twice yesterday',
    answer: 'ranking',
    type: 'ReplicaJobSession',
    filter: `${FAILED};${YESTERDAY}`,
  },
  {
    q: 'which VMs failed the most this week',
    tz: 'UTC',
    answer: 'ranking',
    filter: `${FAILED};${ge('2026-11-23T00:00:00.000Z')}`,
  },
  {
    q: 'top 5 failing jobs this month',
    tz: 'Pacific/Auckland',
    answer: 'ranking',
    type: 'ReplicaJobSession',
    filter: `${FAILED};${ge('2026-10-31T11:00:00.000Z')}`,
  },

  // durations, computed from every page
  { q: 'replicas that took longer than 30 minutes today', answer: 'duration', filter: TODAY },
  {
    q: 'failed replicas that took longer than 2 hours this week',
    answer: 'duration',
    filter: `${FAILED};${THIS_WEEK}`,
  },
  { q: 'longest replicas this week', answer: 'duration', filter: THIS_WEEK },
  { q: 'slowest job runs yesterday', answer: 'duration', type: 'ReplicaJobSession', filter: YESTERDAY },
  {
    q: '5 slowest replicas for apache02',
    names: true,
    answer: 'duration',
    filter: `VmDisplayName=="apache02";${LAST24}`,
  },
  { q: 'fastest replicas today', answer: 'duration', filter: TODAY },
  {
    q: 'longest running replicas last night',
    answer: 'duration',
    filter: range('2026-11-22T17:00:00.000Z', '2026-11-23T05:00:00.000Z'),
  },
  { q: 'replicas longer than 45 minutes yesterday', answer: 'duration', filter: YESTERDAY },
  {
    q: 'longest replicas this week',
    tz: 'America/New_York',
    answer: 'duration',
    filter: ge('2026-11-23T05:00:00.000Z'),
  },

  // comparisons
  { q: 'failures this week vs last week', answer: 'compare', filter: `${FAILED};${THIS_WEEK}` },
  { q: 'failures today versus yesterday', answer: 'compare', filter: `${FAILED};${TODAY}` },
  { q: 'warnings this month compared to last month', answer: 'compare', filter: `${WARNING};${THIS_MONTH}` },
  { q: 'failed replicas yesterday vs friday', answer: 'compare', filter: `${FAILED};${YESTERDAY}` },
  {
    q: 'problems for apache02 this week compared with last week',
    names: true,
    answer: 'compare',
    filter: `${PROBLEMS};VmDisplayName=="apache02";${THIS_WEEK}`,
  },
  {
    q: 'failures this week vs last week',
    tz: 'Asia/Kolkata',
    answer: 'compare',
    filter: `${FAILED};${ge('2026-11-22T18:30:00.000Z')}`,
  },

  // more of the way admins ask
  {
    q: 'any failed replicas overnight?',
    filter: `${FAILED};${range('2026-11-22T17:00:00.000Z', '2026-11-23T05:00:00.000Z')}`,
  },
  { q: 'show me all failed replication tasks from the last 3 days', filter: `${FAILED};${PAST_3_DAYS}` },
  {
    q: 'list all replication jobs with warnings from yesterday',
    type: 'ReplicaJobSession',
    filter: `${WARNING};${YESTERDAY}`,
  },
  { q: 'which replicas had errors over the past 24 hours', filter: `${FAILED};${LAST24}` },
  { q: 'replication failures during the weekend', filter: `${FAILED};${LAST_WEEKEND}` },
  { q: 'what failed on the weekend', filter: `${FAILED};${LAST_WEEKEND}` },
  { q: 'give me the failures of last week', filter: `${FAILED};${LAST_WEEK}` },
  { q: 'how did all my replicas do yesterday', filter: YESTERDAY },
  { q: 'status of all replication jobs today', type: 'ReplicaJobSession', filter: TODAY },
  { q: 'replica warnings for the day before yesterday', filter: `${WARNING};${DAY_BEFORE}` },
  { q: 'errors within the past fortnight', filter: `${FAILED};${PAST_2_WEEKS}` },
  { q: 'failed replicas 2 days ago', filter: `${FAILED};${DAY_BEFORE}` },
  { q: "what's failing this month", filter: `${FAILED};${THIS_MONTH}` },
  {
    q: 'failures last month for apache02',
    names: true,
    filter: `${FAILED};VmDisplayName=="apache02";${LAST_MONTH}`,
  },
];
