/**
 * Phrasings and the query each must become. Expected instants are worked out by hand from the zone's offset on
 * that date (CET = UTC+1, CEST = UTC+2, EST = UTC-5, EDT = UTC-4, JST = UTC+9, NZDT = UTC+13, IST = UTC+5:30).
 */

export interface Phrasing {
  q: string;
  filter: string;
  /** "CreationTime desc" unless given */
  sort?: string;
  limit?: number | null;
  type?: 'ReplicaTaskSession' | 'ReplicaJobSession';
  tz?: string;
  now?: string;
  /** where the text was typed; 'plain' unless given */
  source?: 'slack' | 'plain';
}

const ge = (iso: string) => `CreationTime>="${iso}"`;
const lt = (iso: string) => `CreationTime<"${iso}"`;
const range = (from: string, to: string) => `${ge(from)};${lt(to)}`;

/** Monday 23 Nov 2026, 11:05 in Berlin (CET) */
export const NOW = '2026-11-23T10:05:00.000Z';
export const ZONE = 'Europe/Berlin';

const TODAY = ge('2026-11-22T23:00:00.000Z');
const LAST24 = ge('2026-11-22T10:05:00.000Z');
/** a count with no time words looks back over EM's 30 days (calendar days: 11:05 CEST on 24 Oct) */
const LAST30 = ge('2026-10-24T09:05:00.000Z');
const YESTERDAY = range('2026-11-21T23:00:00.000Z', '2026-11-22T23:00:00.000Z');
const FRIDAY = range('2026-11-19T23:00:00.000Z', '2026-11-20T23:00:00.000Z');
const FAILED = 'Result==Failed';
const PROBLEMS = '(Result==Warning,Result==Failed)';
const GUID = '2f6d8c1e-3b1a-4c55-9e0b-6a7d2c9f1e42';

export const PHRASINGS: readonly Phrasing[] = [
  // results
  { q: 'replicas failed today for apache02', filter: `${FAILED};VmDisplayName=="apache02";${TODAY}` },
  { q: 'failed replicas today', filter: `${FAILED};${TODAY}` },
  { q: 'failures today', filter: `${FAILED};${TODAY}` },
  { q: 'errors today', filter: `${FAILED};${TODAY}` },
  { q: 'broken replicas today', filter: `${FAILED};${TODAY}` },
  { q: 'show me failed replicas today please', filter: `${FAILED};${TODAY}` },
  { q: 'which replicas failed today?', filter: `${FAILED};${TODAY}` },
  { q: 'What failed today?', filter: `${FAILED};${TODAY}` },
  { q: 'FAILED TODAY', filter: `${FAILED};${TODAY}` },
  { q: 'warnings today', filter: `Result==Warning;${TODAY}` },
  { q: 'warning today', filter: `Result==Warning;${TODAY}` },
  { q: 'replicas with warnings today', filter: `Result==Warning;${TODAY}` },
  { q: 'succeeded today', filter: `Result==Success;${TODAY}` },
  { q: 'success today', filter: `Result==Success;${TODAY}` },
  { q: 'ok replicas today', filter: `Result==Success;${TODAY}` },
  { q: 'successful replicas today', filter: `Result==Success;${TODAY}` },
  { q: 'problems today', filter: `${PROBLEMS};${TODAY}` },
  { q: 'issues today', filter: `${PROBLEMS};${TODAY}` },
  { q: 'not successful today', filter: `${PROBLEMS};${TODAY}` },
  { q: 'unsuccessful replicas today', filter: `${PROBLEMS};${TODAY}` },
  { q: 'failures and warnings today', filter: `${PROBLEMS};${TODAY}` },
  { q: 'failed or warning today', filter: `${PROBLEMS};${TODAY}` },
  { q: 'which replicas did not succeed today', filter: `${PROBLEMS};${TODAY}` },
  { q: 'how many failed today', filter: `${FAILED};${TODAY}` },
  {
    q: 'were there any failed replicas last night',
    filter: `${FAILED};${range('2026-11-22T17:00:00.000Z', '2026-11-23T05:00:00.000Z')}`,
  },
  { q: 'status of apache02', filter: `VmDisplayName=="apache02";${LAST24}` },

  // states
  { q: 'running replicas', filter: 'State==InProgress' },
  { q: 'replicas in progress', filter: 'State==InProgress' },
  { q: 'active replicas', filter: 'State==InProgress' },
  { q: 'pending replicas', filter: 'State==Pending' },
  { q: 'queued replicas', filter: 'State==Pending' },
  { q: 'finished replicas', filter: `State==Completed;${LAST24}` },
  { q: 'completed replicas today', filter: `State==Completed;${TODAY}` },
  { q: 'done today', filter: `State==Completed;${TODAY}` },
  { q: 'completed with warnings today', filter: `Result==Warning;State==Completed;${TODAY}` },
  { q: 'failed or running', filter: `(Result==Failed,State==InProgress);${LAST24}` },
  { q: 'running or pending replicas', filter: 'State==InProgress,State==Pending' },
  // "now" words with running/pending: no time bound, like "running" alone; "what's" is filler
  { q: "what's running right now", filter: 'State==InProgress' },
  { q: 'what’s running right now', filter: 'State==InProgress' },
  { q: 'what is running now', filter: 'State==InProgress' },
  { q: 'currently running', filter: 'State==InProgress' },
  { q: 'anything running?', filter: 'State==InProgress' },
  { q: 'is anything running at the moment', filter: 'State==InProgress' },
  { q: 'whats pending now', filter: 'State==Pending' },
  { q: 'running or pending right now', filter: 'State==InProgress,State==Pending' },
  { q: 'which replication jobs are running right now', type: 'ReplicaJobSession', filter: 'State==Working' },
  { q: 'what is running now for apache02', filter: 'State==InProgress;VmDisplayName=="apache02"' },
  // the suggestion offered for "failed job runs for Domain Controllers this week"
  {
    q: 'failed job runs in job "Domain Controllers" this week',
    type: 'ReplicaJobSession',
    filter: `${FAILED};JobName=="Domain Controllers";${TODAY}`,
  },

  // no time words: the last 24 hours
  { q: 'replicas', filter: LAST24 },
  { q: 'show me replicas', filter: LAST24 },
  { q: 'failed', filter: `${FAILED};${LAST24}` },
  { q: 'failed replicas?', filter: `${FAILED};${LAST24}` },

  // time
  { q: 'failed yesterday', filter: `${FAILED};${YESTERDAY}` },
  { q: 'failed last 3 hours', filter: `${FAILED};${ge('2026-11-23T07:05:00.000Z')}` },
  { q: 'failed in the last 3 hours', filter: `${FAILED};${ge('2026-11-23T07:05:00.000Z')}` },
  { q: 'failed past 3 hours', filter: `${FAILED};${ge('2026-11-23T07:05:00.000Z')}` },
  { q: 'failed past three hours', filter: `${FAILED};${ge('2026-11-23T07:05:00.000Z')}` },
  { q: 'failed within the last 30 minutes', filter: `${FAILED};${ge('2026-11-23T09:35:00.000Z')}` },
  { q: 'failed last 90 mins', filter: `${FAILED};${ge('2026-11-23T08:35:00.000Z')}` },
  { q: 'failed last 24h', filter: `${FAILED};${LAST24}` },
  { q: 'failed 24h', filter: `${FAILED};${LAST24}` },
  { q: 'failed last 24 hours', filter: `${FAILED};${LAST24}` },
  { q: 'failures past 7d', filter: `${FAILED};${ge('2026-11-16T10:05:00.000Z')}` },
  { q: 'failures last 7 days', filter: `${FAILED};${ge('2026-11-16T10:05:00.000Z')}` },
  { q: 'failures over the past 7 days', filter: `${FAILED};${ge('2026-11-16T10:05:00.000Z')}` },
  { q: 'failures last 2 weeks', filter: `${FAILED};${ge('2026-11-09T10:05:00.000Z')}` },
  { q: 'failures last 2w', filter: `${FAILED};${ge('2026-11-09T10:05:00.000Z')}` },
  { q: 'failed in the last two days', filter: `${FAILED};${ge('2026-11-21T10:05:00.000Z')}` },
  { q: 'failed last hour', filter: `${FAILED};${ge('2026-11-23T09:05:00.000Z')}` },
  { q: 'failed in the past hour', filter: `${FAILED};${ge('2026-11-23T09:05:00.000Z')}` },
  { q: 'failed last day', filter: `${FAILED};${LAST24}` },
  { q: 'failed past week', filter: `${FAILED};${ge('2026-11-16T10:05:00.000Z')}` },
  { q: 'failed 30m', filter: `${FAILED};${ge('2026-11-23T09:35:00.000Z')}` },
  { q: 'failed this week', filter: `${FAILED};${ge('2026-11-22T23:00:00.000Z')}` },
  {
    q: 'failed last week',
    filter: `${FAILED};${range('2026-11-15T23:00:00.000Z', '2026-11-22T23:00:00.000Z')}`,
  },
  {
    q: 'failed previous week',
    filter: `${FAILED};${range('2026-11-15T23:00:00.000Z', '2026-11-22T23:00:00.000Z')}`,
  },
  { q: 'failed this month', filter: `${FAILED};${ge('2026-10-31T23:00:00.000Z')}` },
  {
    q: 'failed last month',
    filter: `${FAILED};${range('2026-09-30T22:00:00.000Z', '2026-10-31T23:00:00.000Z')}`,
  },
  { q: 'failed since monday', filter: `${FAILED};${TODAY}` },
  { q: 'failed since friday', filter: `${FAILED};${ge('2026-11-19T23:00:00.000Z')}` },
  { q: 'failed since Fri', filter: `${FAILED};${ge('2026-11-19T23:00:00.000Z')}` },
  { q: 'failed since sunday', filter: `${FAILED};${ge('2026-11-21T23:00:00.000Z')}` },
  { q: 'failed since tuesday', filter: `${FAILED};${ge('2026-11-16T23:00:00.000Z')}` },
  { q: 'failed since yesterday', filter: `${FAILED};${ge('2026-11-21T23:00:00.000Z')}` },
  { q: 'failed since 2026-11-20', filter: `${FAILED};${ge('2026-11-19T23:00:00.000Z')}` },
  { q: 'failed since Nov 20', filter: `${FAILED};${ge('2026-11-19T23:00:00.000Z')}` },
  { q: 'failed since 20 Nov', filter: `${FAILED};${ge('2026-11-19T23:00:00.000Z')}` },
  { q: 'failed since November 20th', filter: `${FAILED};${ge('2026-11-19T23:00:00.000Z')}` },
  { q: 'failed since the 20th of November', filter: `${FAILED};${ge('2026-11-19T23:00:00.000Z')}` },
  { q: 'failed since 08:00', filter: `${FAILED};${ge('2026-11-23T07:00:00.000Z')}` },
  { q: 'failed since 8am', filter: `${FAILED};${ge('2026-11-23T07:00:00.000Z')}` },
  { q: 'failed since 8.30', filter: `${FAILED};${ge('2026-11-23T07:30:00.000Z')}` },
  { q: 'failed since yesterday 18:00', filter: `${FAILED};${ge('2026-11-22T17:00:00.000Z')}` },
  { q: 'failed since 8 am', filter: `${FAILED};${ge('2026-11-23T07:00:00.000Z')}` },
  { q: 'failed since 7:30', filter: `${FAILED};${ge('2026-11-23T06:30:00.000Z')}` },
  // a clock time still ahead today means yesterday's
  { q: 'failed since 2:30pm', filter: `${FAILED};${ge('2026-11-22T13:30:00.000Z')}` },
  { q: 'failed since noon', filter: `${FAILED};${ge('2026-11-22T11:00:00.000Z')}` },
  { q: 'failed since midnight', filter: `${FAILED};${TODAY}` },
  { q: 'failed since friday 18:00', filter: `${FAILED};${ge('2026-11-20T17:00:00.000Z')}` },
  { q: 'failed since 3 hours ago', filter: `${FAILED};${ge('2026-11-23T07:05:00.000Z')}` },
  { q: 'failed 2 hours ago', filter: `${FAILED};${ge('2026-11-23T08:05:00.000Z')}` },
  { q: 'failed since an hour ago', filter: `${FAILED};${ge('2026-11-23T09:05:00.000Z')}` },
  { q: 'failed since 2026-11-20T08:00', filter: `${FAILED};${ge('2026-11-20T07:00:00.000Z')}` },
  { q: 'failed since 2026-11-20T08:00Z', filter: `${FAILED};${ge('2026-11-20T08:00:00.000Z')}` },
  { q: 'failed since last week', filter: `${FAILED};${ge('2026-11-15T23:00:00.000Z')}` },
  { q: 'failed on friday', filter: `${FAILED};${FRIDAY}` },
  { q: 'failed friday', filter: `${FAILED};${FRIDAY}` },
  { q: 'failed last friday', filter: `${FAILED};${FRIDAY}` },
  { q: 'failed on 2026-11-20', filter: `${FAILED};${FRIDAY}` },
  { q: 'failed on Nov 20', filter: `${FAILED};${FRIDAY}` },
  { q: 'failed on 20 Nov', filter: `${FAILED};${FRIDAY}` },
  { q: 'failed Nov 20', filter: `${FAILED};${FRIDAY}` },
  { q: 'failed 20 November 2026', filter: `${FAILED};${FRIDAY}` },
  { q: 'failed Nov 20, 2026', filter: `${FAILED};${FRIDAY}` },
  { q: 'failed on 2026/11/20', filter: `${FAILED};${FRIDAY}` },
  {
    q: 'failed on monday',
    filter: `${FAILED};${range('2026-11-22T23:00:00.000Z', '2026-11-23T23:00:00.000Z')}`,
  },
  {
    q: 'failed on last monday',
    filter: `${FAILED};${range('2026-11-15T23:00:00.000Z', '2026-11-16T23:00:00.000Z')}`,
  },
  {
    q: 'failed between 2026-11-20 and 2026-11-22',
    filter: `${FAILED};${range('2026-11-19T23:00:00.000Z', '2026-11-22T23:00:00.000Z')}`,
  },
  {
    q: 'failed between Nov 20 and Nov 22',
    filter: `${FAILED};${range('2026-11-19T23:00:00.000Z', '2026-11-22T23:00:00.000Z')}`,
  },
  {
    q: 'failed from Nov 20 to Nov 22',
    filter: `${FAILED};${range('2026-11-19T23:00:00.000Z', '2026-11-22T23:00:00.000Z')}`,
  },
  {
    q: 'failed between 20 Nov and 21 Nov',
    filter: `${FAILED};${range('2026-11-19T23:00:00.000Z', '2026-11-21T23:00:00.000Z')}`,
  },
  {
    q: 'failed between 08:00 and 10:00',
    filter: `${FAILED};${range('2026-11-23T07:00:00.000Z', '2026-11-23T09:00:00.000Z')}`,
  },
  {
    q: 'failed between friday and sunday',
    filter: `${FAILED};${range('2026-11-19T23:00:00.000Z', '2026-11-22T23:00:00.000Z')}`,
  },
  // a year makes a date still to come this year a question about last year ("since Dec 25" is refused below)
  { q: 'failed since Dec 25 2025', filter: `${FAILED};${ge('2025-12-24T23:00:00.000Z')}` },
  // no year, already past this year: this year's
  { q: 'failed since Nov 1', filter: `${FAILED};${ge('2026-10-31T23:00:00.000Z')}` },
  // "between" and "from ... to" still look back a year, so a range can span the turn of the year
  {
    q: 'failed between Dec 20 and Jan 5',
    now: '2027-01-10T10:00:00.000Z',
    filter: `${FAILED};${range('2026-12-19T23:00:00.000Z', '2027-01-05T23:00:00.000Z')}`,
  },
  { q: 'failed today', tz: 'UTC', filter: `${FAILED};${ge('2026-11-23T00:00:00.000Z')}` },
  {
    q: 'failed yesterday',
    tz: 'UTC',
    filter: `${FAILED};${range('2026-11-22T00:00:00.000Z', '2026-11-23T00:00:00.000Z')}`,
  },

  // targets
  {
    q: 'failed for apache02 and ubuntu88 today',
    filter: `${FAILED};(VmDisplayName=="apache02",VmDisplayName=="ubuntu88");${TODAY}`,
  },
  {
    q: 'failed apache02, ubuntu88 today',
    filter: `${FAILED};(VmDisplayName=="apache02",VmDisplayName=="ubuntu88");${TODAY}`,
  },
  {
    q: 'failed for apache02, ubuntu88 and web01 today',
    filter: `${FAILED};(VmDisplayName=="apache02",VmDisplayName=="ubuntu88",VmDisplayName=="web01");${TODAY}`,
  },
  {
    q: 'failed for apache02 or ubuntu88 today',
    filter: `${FAILED};(VmDisplayName=="apache02",VmDisplayName=="ubuntu88");${TODAY}`,
  },
  {
    q: 'failed for apache02 and for ubuntu88 today',
    filter: `${FAILED};(VmDisplayName=="apache02",VmDisplayName=="ubuntu88");${TODAY}`,
  },
  { q: 'failed vm apache02 today', filter: `${FAILED};VmDisplayName=="apache02";${TODAY}` },
  { q: 'failed of apache02 today', filter: `${FAILED};VmDisplayName=="apache02";${TODAY}` },
  { q: 'failed on apache02 today', filter: `${FAILED};VmDisplayName=="apache02";${TODAY}` },
  { q: 'failures for vm apache02 today', filter: `${FAILED};VmDisplayName=="apache02";${TODAY}` },
  { q: 'failed for "SQL Server 01" today', filter: `${FAILED};VmDisplayName=="SQL Server 01";${TODAY}` },
  { q: 'failed for “SQL Server 01” today', filter: `${FAILED};VmDisplayName=="SQL Server 01";${TODAY}` },
  { q: "failed for 'a''b' today", filter: `${FAILED};VmDisplayName=="a'b";${TODAY}` },
  { q: 'failed for "say ""hi""" today', filter: `${FAILED};VmDisplayName=="say ""hi""";${TODAY}` },
  { q: 'failed for srv02.corp.local today', filter: `${FAILED};VmDisplayName=="srv02.corp.local";${TODAY}` },
  {
    q: 'failed for <http://srv02.corp.local|srv02.corp.local> today',
    source: 'slack',
    filter: `${FAILED};VmDisplayName=="srv02.corp.local";${TODAY}`,
  },
  { q: '<@U0123ABCD> failed today', source: 'slack', filter: `${FAILED};${TODAY}` },
  { q: 'failed for R&amp;D-vm today', source: 'slack', filter: `${FAILED};VmDisplayName=="R&D-vm";${TODAY}` },
  { q: 'job SQL Replica failed today', filter: `${FAILED};JobName=="SQL Replica";${TODAY}` },
  { q: "failed in job 'SQL Replica' today", filter: `${FAILED};JobName=="SQL Replica";${TODAY}` },
  { q: 'failed in job "SQL Replica" today', filter: `${FAILED};JobName=="SQL Replica";${TODAY}` },
  { q: 'failed replicas for job SQL Replica today', filter: `${FAILED};JobName=="SQL Replica";${TODAY}` },
  { q: 'failed job Nightly today', filter: `${FAILED};JobName=="Nightly";${TODAY}` },
  {
    q: 'failed in job "SQL Replica" or job Exchange today',
    filter: `${FAILED};(JobName=="SQL Replica",JobName=="Exchange");${TODAY}`,
  },
  { q: 'failed on server srv02 today', filter: `${FAILED};BackupServerName=="srv02";${TODAY}` },
  { q: 'failed backup server srv02 today', filter: `${FAILED};BackupServerName=="srv02";${TODAY}` },
  { q: 'failed on backup server srv02 today', filter: `${FAILED};BackupServerName=="srv02";${TODAY}` },
  { q: 'failed from server srv02 today', filter: `${FAILED};BackupServerName=="srv02";${TODAY}` },
  {
    q: 'failed for apache02 on server srv02 today',
    filter: `${FAILED};VmDisplayName=="apache02";BackupServerName=="srv02";${TODAY}`,
  },
  {
    q: 'failed in job "SQL Replica" for apache02 on server srv02 yesterday',
    filter: `${FAILED};VmDisplayName=="apache02";JobName=="SQL Replica";BackupServerName=="srv02";${YESTERDAY}`,
  },

  // order and size
  { q: 'last 5', filter: LAST30, limit: 5 },
  { q: 'last 5 failures', filter: `${FAILED};${LAST30}`, limit: 5 },
  { q: 'last five failures', filter: `${FAILED};${LAST30}`, limit: 5 },
  { q: 'latest 10', filter: LAST30, limit: 10 },
  {
    q: 'latest 10 failed replicas for apache02',
    filter: `${FAILED};VmDisplayName=="apache02";${LAST30}`,
    limit: 10,
  },
  { q: '5 most recent', filter: LAST30, limit: 5 },
  { q: '5 most recent failures today', filter: `${FAILED};${TODAY}`, limit: 5 },
  { q: 'most recent 5 failures', filter: `${FAILED};${LAST30}`, limit: 5 },
  { q: 'top 5 failures today', filter: `${FAILED};${TODAY}`, limit: 5 },
  {
    q: 'the latest failed replica for apache02',
    filter: `${FAILED};VmDisplayName=="apache02";${LAST30}`,
    limit: 1,
  },
  { q: 'last failure for apache02', filter: `${FAILED};VmDisplayName=="apache02";${LAST30}`, limit: 1 },
  { q: 'oldest first', filter: LAST24, sort: 'CreationTime asc' },
  { q: 'failed today oldest first', filter: `${FAILED};${TODAY}`, sort: 'CreationTime asc' },
  { q: 'failed today newest first', filter: `${FAILED};${TODAY}` },
  { q: 'failed today in chronological order', filter: `${FAILED};${TODAY}`, sort: 'CreationTime asc' },
  { q: '3 oldest failures today', filter: `${FAILED};${TODAY}`, sort: 'CreationTime asc', limit: 3 },
  { q: 'oldest 3 failures today', filter: `${FAILED};${TODAY}`, sort: 'CreationTime asc', limit: 3 },
  { q: 'biggest replicas today', filter: TODAY, sort: 'TotalSize desc' },
  { q: 'largest replicas this week', filter: ge('2026-11-22T23:00:00.000Z'), sort: 'TotalSize desc' },
  { q: '5 biggest replicas today', filter: TODAY, sort: 'TotalSize desc', limit: 5 },
  { q: 'biggest 5 replicas today', filter: TODAY, sort: 'TotalSize desc', limit: 5 },
  { q: 'smallest replicas today', filter: TODAY, sort: 'TotalSize asc' },
  { q: 'failed today sorted by size', filter: `${FAILED};${TODAY}`, sort: 'TotalSize desc' },
  {
    q: 'last 5 failures in the last 7 days',
    filter: `${FAILED};${ge('2026-11-16T10:05:00.000Z')}`,
    limit: 5,
  },

  // job level
  { q: 'replication jobs failed today', filter: `${FAILED};${TODAY}`, type: 'ReplicaJobSession' },
  { q: 'job runs failed today', filter: `${FAILED};${TODAY}`, type: 'ReplicaJobSession' },
  { q: 'failed job runs today', filter: `${FAILED};${TODAY}`, type: 'ReplicaJobSession' },
  { q: 'which replication job failed today', filter: `${FAILED};${TODAY}`, type: 'ReplicaJobSession' },
  { q: 'running replication jobs', filter: 'State==Working', type: 'ReplicaJobSession' },
  { q: 'running job runs', filter: 'State==Working', type: 'ReplicaJobSession' },
  { q: 'pending jobs', filter: 'State==Starting', type: 'ReplicaJobSession' },
  { q: 'finished jobs today', filter: `State==Stopped;${TODAY}`, type: 'ReplicaJobSession' },
  {
    q: 'failed jobs for job SQL Replica',
    filter: `${FAILED};JobName=="SQL Replica";${LAST24}`,
    type: 'ReplicaJobSession',
  },
  {
    q: 'job sessions with warnings yesterday',
    filter: `Result==Warning;${YESTERDAY}`,
    type: 'ReplicaJobSession',
  },
  {
    q: 'replication jobs on server srv02 today',
    filter: `BackupServerName=="srv02";${TODAY}`,
    type: 'ReplicaJobSession',
  },
  { q: 'last 3 job runs', filter: LAST30, type: 'ReplicaJobSession', limit: 3 },

  // one session by id
  { q: `urn:veeam:ReplicaTaskSession:${GUID}`, filter: `UID=="urn:veeam:ReplicaTaskSession:${GUID}"` },
  { q: GUID, filter: `UID=="urn:veeam:ReplicaTaskSession:${GUID}"` },
  { q: `session {${GUID.toUpperCase()}}`, filter: `UID=="urn:veeam:ReplicaTaskSession:${GUID}"` },
  { q: `show session ${GUID} please`, filter: `UID=="urn:veeam:ReplicaTaskSession:${GUID}"` },
  {
    q: `urn:veeam:ReplicaJobSession:${GUID}`,
    filter: `UID=="urn:veeam:ReplicaJobSession:${GUID}"`,
    type: 'ReplicaJobSession',
  },

  // what admins type
  { q: 'did anything fail?', filter: `${FAILED};${LAST24}` },
  { q: 'did anything fail today?', filter: `${FAILED};${TODAY}` },
  { q: 'has anything failed since yesterday', filter: `${FAILED};${ge('2026-11-21T23:00:00.000Z')}` },
  { q: 'is anything running?', filter: 'State==InProgress' },
  { q: 'any failures for apache02?', filter: `${FAILED};VmDisplayName=="apache02";${LAST24}` },
  { q: 'any failures for "sql 02" today', filter: `${FAILED};VmDisplayName=="sql 02";${TODAY}` },
  { q: 'any failures this week?', filter: `${FAILED};${ge('2026-11-22T23:00:00.000Z')}` },
  {
    q: 'what failed last night',
    filter: `${FAILED};${range('2026-11-22T17:00:00.000Z', '2026-11-23T05:00:00.000Z')}`,
  },
  {
    q: 'what failed overnight?',
    filter: `${FAILED};${range('2026-11-22T17:00:00.000Z', '2026-11-23T05:00:00.000Z')}`,
  },
  {
    q: 'how did apache02 do this week',
    filter: `VmDisplayName=="apache02";${ge('2026-11-22T23:00:00.000Z')}`,
  },
  {
    q: 'how did apache02 and ubuntu88 do yesterday',
    filter: `(VmDisplayName=="apache02",VmDisplayName=="ubuntu88");${YESTERDAY}`,
  },
  { q: 'how is job "SQL Replica" doing', filter: `JobName=="SQL Replica";${LAST24}` },
  {
    q: 'how did job SQL Replica do last night',
    filter: `JobName=="SQL Replica";${range('2026-11-22T17:00:00.000Z', '2026-11-23T05:00:00.000Z')}`,
  },
  { q: "how's apache02 doing today?", filter: `VmDisplayName=="apache02";${TODAY}` },
  { q: 'how did server srv02 do today', filter: `BackupServerName=="srv02";${TODAY}` },
  {
    q: 'how did the replicas do last night',
    filter: range('2026-11-22T17:00:00.000Z', '2026-11-23T05:00:00.000Z'),
  },

  // parts of the day: morning 06-12, afternoon 12-18, evening 18-24, night 18-06 (asked 11:05 CET unless given)
  {
    q: 'failed this morning',
    filter: `${FAILED};${range('2026-11-23T05:00:00.000Z', '2026-11-23T11:00:00.000Z')}`,
  },
  { q: 'failed since this morning', filter: `${FAILED};${ge('2026-11-23T05:00:00.000Z')}` },
  {
    q: 'failed yesterday morning',
    filter: `${FAILED};${range('2026-11-22T05:00:00.000Z', '2026-11-22T11:00:00.000Z')}`,
  },
  {
    q: 'failed yesterday afternoon',
    filter: `${FAILED};${range('2026-11-22T11:00:00.000Z', '2026-11-22T17:00:00.000Z')}`,
  },
  {
    q: 'failed yesterday evening',
    filter: `${FAILED};${range('2026-11-22T17:00:00.000Z', '2026-11-22T23:00:00.000Z')}`,
  },
  { q: 'failed since yesterday evening', filter: `${FAILED};${ge('2026-11-22T17:00:00.000Z')}` },
  { q: 'failed since last night', filter: `${FAILED};${ge('2026-11-22T17:00:00.000Z')}` },
  {
    q: 'failed friday night',
    filter: `${FAILED};${range('2026-11-20T17:00:00.000Z', '2026-11-21T05:00:00.000Z')}`,
  },
  {
    q: 'failed on friday evening',
    filter: `${FAILED};${range('2026-11-20T17:00:00.000Z', '2026-11-20T23:00:00.000Z')}`,
  },
  {
    q: 'failed this afternoon',
    now: '2026-11-23T20:00:00.000Z',
    filter: `${FAILED};${range('2026-11-23T11:00:00.000Z', '2026-11-23T17:00:00.000Z')}`,
  },
  {
    q: 'failed this evening',
    now: '2026-11-23T20:00:00.000Z',
    filter: `${FAILED};${range('2026-11-23T17:00:00.000Z', '2026-11-23T23:00:00.000Z')}`,
  },
  {
    q: 'failed tonight',
    now: '2026-11-23T20:00:00.000Z',
    filter: `${FAILED};${range('2026-11-23T17:00:00.000Z', '2026-11-24T05:00:00.000Z')}`,
  },
  // at 02:00 "tonight" is the night still going on
  {
    q: 'failed tonight',
    now: '2026-11-23T01:00:00.000Z',
    filter: `${FAILED};${range('2026-11-22T17:00:00.000Z', '2026-11-23T05:00:00.000Z')}`,
  },
  {
    q: 'failed this morning',
    tz: 'America/New_York',
    now: '2026-11-02T15:00:00.000Z',
    filter: `${FAILED};${range('2026-11-02T11:00:00.000Z', '2026-11-02T17:00:00.000Z')}`,
  },
  // Berlin: the night the clocks went back is 13 hours long (Sat 18:00 CEST to Sun 06:00 CET)
  {
    q: 'failed saturday night',
    now: '2026-10-26T09:00:00.000Z',
    filter: `${FAILED};${range('2026-10-24T16:00:00.000Z', '2026-10-25T05:00:00.000Z')}`,
  },
  {
    q: 'failed last night',
    now: '2026-10-26T09:00:00.000Z',
    filter: `${FAILED};${range('2026-10-25T17:00:00.000Z', '2026-10-26T05:00:00.000Z')}`,
  },

  // no time words: running and pending whenever they started, a count over EM's 30 days, else 24 hours
  { q: 'running replicas for apache02', filter: 'State==InProgress;VmDisplayName=="apache02"' },
  { q: 'pending replicas in job "SQL Replica"', filter: 'State==Pending;JobName=="SQL Replica"' },
  { q: 'last 5 running replicas', filter: 'State==InProgress', limit: 5 },
  { q: 'running replicas today', filter: `State==InProgress;${TODAY}` },
  {
    q: 'running replicas in the last 2 hours',
    filter: `State==InProgress;${ge('2026-11-23T08:05:00.000Z')}`,
  },
  { q: 'failed or pending', filter: `(Result==Failed,State==Pending);${LAST24}` },
  { q: 'last 5 failures for apache02', filter: `${FAILED};VmDisplayName=="apache02";${LAST30}`, limit: 5 },
  { q: '10 most recent replicas', filter: LAST30, limit: 10 },
  { q: '3 oldest failures', filter: `${FAILED};${LAST30}`, sort: 'CreationTime asc', limit: 3 },
  { q: 'top 5 failures', filter: `${FAILED};${LAST30}`, limit: 5 },
  { q: '5 biggest replicas', filter: LAST30, sort: 'TotalSize desc', limit: 5 },
  { q: 'biggest replicas', filter: LAST24, sort: 'TotalSize desc' },
  { q: 'last 5 failures today', filter: `${FAILED};${TODAY}`, limit: 5 },
  { q: 'last 5 failures', tz: 'UTC', filter: `${FAILED};${ge('2026-10-24T10:05:00.000Z')}`, limit: 5 },

  // plain (terminal) text is read as typed: Slack markup is only undone for text from Slack
  {
    q: 'failed for "<!channel>" last 7 days',
    filter: `${FAILED};VmDisplayName=="<!channel>";${ge('2026-11-16T10:05:00.000Z')}`,
  },
  { q: 'failed for R&amp;D-vm today', filter: `${FAILED};VmDisplayName=="R&amp;D-vm";${TODAY}` },
  { q: 'failed for "<@U0123ABCD>" today', filter: `${FAILED};VmDisplayName=="<@U0123ABCD>";${TODAY}` },
  {
    q: 'failed for “A&amp;B” today',
    source: 'slack',
    filter: `${FAILED};VmDisplayName=="A&B";${TODAY}`,
  },

  // Berlin, the night the clocks go back (Sun 25 Oct 2026, 03:00 CEST -> 02:00 CET); asked Mon 10:00 CET
  {
    q: 'failed today',
    now: '2026-10-26T09:00:00.000Z',
    filter: `${FAILED};${ge('2026-10-25T23:00:00.000Z')}`,
  },
  {
    q: 'failed yesterday',
    now: '2026-10-26T09:00:00.000Z',
    filter: `${FAILED};${range('2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z')}`,
  },
  {
    q: 'failed on sunday',
    now: '2026-10-26T09:00:00.000Z',
    filter: `${FAILED};${range('2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z')}`,
  },
  {
    q: 'failed last week',
    now: '2026-10-26T09:00:00.000Z',
    filter: `${FAILED};${range('2026-10-18T22:00:00.000Z', '2026-10-25T23:00:00.000Z')}`,
  },
  // whole days keep the wall-clock time (10:00), hours are exact
  {
    q: 'failed last 2 days',
    now: '2026-10-26T09:00:00.000Z',
    filter: `${FAILED};${ge('2026-10-24T08:00:00.000Z')}`,
  },
  {
    q: 'failed last 48 hours',
    now: '2026-10-26T09:00:00.000Z',
    filter: `${FAILED};${ge('2026-10-24T09:00:00.000Z')}`,
  },
  {
    q: 'failed since saturday',
    now: '2026-10-26T09:00:00.000Z',
    filter: `${FAILED};${ge('2026-10-23T22:00:00.000Z')}`,
  },
  {
    q: 'failed between 2026-10-24 and 2026-10-25',
    now: '2026-10-26T09:00:00.000Z',
    filter: `${FAILED};${range('2026-10-23T22:00:00.000Z', '2026-10-25T23:00:00.000Z')}`,
  },

  // Berlin, the night the clocks go forward (Sun 29 Mar 2026, 02:00 CET -> 03:00 CEST); asked Mon 10:00 CEST
  {
    q: 'failed today',
    now: '2026-03-30T08:00:00.000Z',
    filter: `${FAILED};${ge('2026-03-29T22:00:00.000Z')}`,
  },
  {
    q: 'failed yesterday',
    now: '2026-03-30T08:00:00.000Z',
    filter: `${FAILED};${range('2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z')}`,
  },
  {
    q: 'failed on 2026-03-29',
    now: '2026-03-30T08:00:00.000Z',
    filter: `${FAILED};${range('2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z')}`,
  },
  {
    q: 'failed last 24h',
    now: '2026-03-30T08:00:00.000Z',
    filter: `${FAILED};${ge('2026-03-29T08:00:00.000Z')}`,
  },
  {
    q: 'failed last 2 days',
    now: '2026-03-30T08:00:00.000Z',
    filter: `${FAILED};${ge('2026-03-28T09:00:00.000Z')}`,
  },

  // New York, clocks back on Sun 1 Nov 2026 (EDT -> EST); asked Mon 10:00 EST
  {
    q: 'failed today',
    tz: 'America/New_York',
    now: '2026-11-02T15:00:00.000Z',
    filter: `${FAILED};${ge('2026-11-02T05:00:00.000Z')}`,
  },
  {
    q: 'failed yesterday',
    tz: 'America/New_York',
    now: '2026-11-02T15:00:00.000Z',
    filter: `${FAILED};${range('2026-11-01T04:00:00.000Z', '2026-11-02T05:00:00.000Z')}`,
  },
  {
    q: 'failed since 8am',
    tz: 'America/New_York',
    now: '2026-11-02T15:00:00.000Z',
    filter: `${FAILED};${ge('2026-11-02T13:00:00.000Z')}`,
  },
  {
    q: 'failed last week',
    tz: 'America/New_York',
    now: '2026-11-02T15:00:00.000Z',
    filter: `${FAILED};${range('2026-10-26T04:00:00.000Z', '2026-11-02T05:00:00.000Z')}`,
  },
  // New York, clocks forward on Sun 8 Mar 2026 (EST -> EDT); asked Mon 10:00 EDT
  {
    q: 'failed yesterday',
    tz: 'America/New_York',
    now: '2026-03-09T14:00:00.000Z',
    filter: `${FAILED};${range('2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z')}`,
  },
  {
    q: 'failed today',
    tz: 'America/New_York',
    now: '2026-03-09T14:00:00.000Z',
    filter: `${FAILED};${ge('2026-03-09T04:00:00.000Z')}`,
  },
  {
    q: 'failed on 2026-03-08',
    tz: 'America/New_York',
    now: '2026-03-09T14:00:00.000Z',
    filter: `${FAILED};${range('2026-03-08T05:00:00.000Z', '2026-03-09T04:00:00.000Z')}`,
  },

  // east of UTC: "today" starts on the previous UTC date
  {
    q: 'failed today',
    tz: 'Asia/Tokyo',
    now: '2026-11-23T01:30:00.000Z',
    filter: `${FAILED};${ge('2026-11-22T15:00:00.000Z')}`,
  },
  {
    q: 'failed yesterday',
    tz: 'Asia/Tokyo',
    now: '2026-11-23T01:30:00.000Z',
    filter: `${FAILED};${range('2026-11-21T15:00:00.000Z', '2026-11-22T15:00:00.000Z')}`,
  },
  {
    q: 'failed since 08:00',
    tz: 'Asia/Tokyo',
    now: '2026-11-23T01:30:00.000Z',
    filter: `${FAILED};${ge('2026-11-22T23:00:00.000Z')}`,
  },
  {
    q: 'failed on Nov 20',
    tz: 'Asia/Tokyo',
    now: '2026-11-23T01:30:00.000Z',
    filter: `${FAILED};${range('2026-11-19T15:00:00.000Z', '2026-11-20T15:00:00.000Z')}`,
  },
  {
    q: 'failed today',
    tz: 'Pacific/Auckland',
    now: '2026-11-23T01:30:00.000Z',
    filter: `${FAILED};${ge('2026-11-22T11:00:00.000Z')}`,
  },
  {
    q: 'failed this week',
    tz: 'Pacific/Auckland',
    now: '2026-11-23T01:30:00.000Z',
    filter: `${FAILED};${ge('2026-11-22T11:00:00.000Z')}`,
  },
  { q: 'failed today', tz: 'Asia/Kolkata', filter: `${FAILED};${ge('2026-11-22T18:30:00.000Z')}` },
];

/** Questions refused with a specific message (never read as something else), and the suggestions they get. */
export interface Refusal {
  q: string;
  /** parts the error message must contain */
  error: string[];
  /** the first suggestions, in order */
  suggestions?: string[];
  now?: string;
}

export const REFUSALS: readonly Refusal[] = [
  // "now" only goes with sessions still going on
  { q: 'failed now', error: ['"now" goes with sessions still going on', '"today"'] },
  { q: 'running right now today', error: ['I read two times, "right now" and "today"'] },
  // job runs have no VM: the words after "for" are offered as a job
  {
    q: 'failed job runs for Domain Controllers this week',
    error: [
      'Job runs have no VM name, so I cannot filter them for "Domain Controllers".',
      'in job "Domain Controllers"',
    ],
    suggestions: ['failed job runs in job "Domain Controllers" this week'],
  },
  {
    q: 'replication jobs for SQL that failed today',
    error: ['If that is a job, say so: in job "SQL"'],
    suggestions: ['replication jobs in job "SQL" that failed today'],
  },
  {
    q: 'failed job runs for dc01, dc02 today',
    error: ['"dc01" or "dc02"', 'If those are jobs'],
    suggestions: ['failed job runs in job "dc01", "dc02" today'],
  },
  { q: 'failed since Nov 30', error: ['"Nov 30" is in the future; to mean last year, write "Nov 30 2025".'] },
  { q: 'failed on Nov 30', error: ['"Nov 30" is in the future; to mean last year, write "Nov 30 2025".'] },
  { q: 'failures Dec 25', error: ['"Dec 25" is in the future'] },
  {
    q: 'failed since 30th of November',
    error: ['"30th of November" is in the future; to mean last year, write "30th of November 2025".'],
  },
  { q: 'failed since Nov 24', error: ['"Nov 24" is in the future'] },
];
