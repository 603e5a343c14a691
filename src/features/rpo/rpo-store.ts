/**
 * The RPO watch's store: subscriptions, the VMs replibot has seen replicated (their last good copy, since when
 * they are gone), and the open alerts per job and channel. Async repositories (the interface the PostgreSQL
 * store will implement too); this one runs on the process's SQLite connection. An evaluation is written in one
 * transaction together with its outbox rows (the alerts' outbox), so a crash leaves the previous state.
 */
import type { SqliteDatabase } from '../../store/open-database.js';
import type { KnownVm } from './domain/evaluate-rpo.js';
import type { RpoAlert, RpoAlertContent, RpoSubscription } from './domain/plan-rpo-alerts.js';

export interface NewRpoSubscription {
  channelId: string;
  rpoMs: number | null;
  job: string | null;
  vm: string | null;
  server: string | null;
  createdBy: string;
}

/** What one evaluation writes; `afterAlerts` runs inside the same transaction (it queues the outbox rows). */
export interface RpoEvaluationWrite {
  at: Date;
  vms: readonly KnownVm[];
  opened: readonly RpoAlertContent[];
  updated: ReadonlyArray<{ alertId: number; content: RpoAlertContent }>;
  afterAlerts(alerts: { opened: RpoAlert[]; updated: RpoAlert[] }): void;
}

export interface RpoStore {
  readonly subscriptions: {
    add(input: NewRpoSubscription, now: Date): Promise<RpoSubscription>;
    list(channelId?: string): Promise<RpoSubscription[]>;
    remove(id: number): Promise<boolean>;
  };
  readonly vms: {
    all(): Promise<KnownVm[]>;
    /** VMs gone past `before` that the digest has not yet named, marked named at `now` */
    takeNewlyGone(before: Date, now: Date): Promise<KnownVm[]>;
  };
  readonly alerts: {
    open(): Promise<RpoAlert[]>;
    get(id: number): Promise<RpoAlert | null>;
  };
  saveEvaluation(write: RpoEvaluationWrite): Promise<void>;
}

interface VmRecord {
  job_name: string;
  vm_name: string;
  server_name: string | null;
  last_good_at: number | null;
  first_seen_at: number;
  gone_since: number | null;
}

interface AlertRecord {
  id: number;
  revision: number;
  content: string;
}

interface SubscriptionRecord {
  id: number;
  channel_id: string;
  rpo_ms: number | null;
  job: string | null;
  vm: string | null;
  server: string | null;
  created_by: string;
  created_at: number;
}

const DATE_KEYS = new Set(['openedAt', 'closedAt', 'lastGoodAt', 'backAt', 'lastRunAt', 'stuckSince']);

function toContent(json: string): RpoAlertContent {
  // written by toJson below from an RpoAlertContent; only its dates need reviving
  return JSON.parse(json, (key, value) =>
    DATE_KEYS.has(key) && typeof value === 'string' ? new Date(value) : value,
  ) as RpoAlertContent;
}

function toAlert(row: AlertRecord): RpoAlert {
  return { ...toContent(row.content), id: row.id, revision: row.revision };
}

function toVm(row: VmRecord): KnownVm {
  return {
    jobName: row.job_name,
    vmName: row.vm_name,
    serverName: row.server_name,
    lastGoodAt: row.last_good_at === null ? null : new Date(row.last_good_at),
    firstSeenAt: new Date(row.first_seen_at),
    goneSince: row.gone_since === null ? null : new Date(row.gone_since),
  };
}

function toSubscription(row: SubscriptionRecord): RpoSubscription {
  return {
    id: row.id,
    channelId: row.channel_id,
    rpoMs: row.rpo_ms,
    job: row.job,
    vm: row.vm,
    server: row.server,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at),
  };
}

/** Row types are cast from better-sqlite3's unknown rows: the columns are those of migration 200. */
export function createRpoStore(db: SqliteDatabase): RpoStore {
  const q = {
    addSub: db.prepare(
      'INSERT INTO rpo_subscriptions (channel_id, rpo_ms, job, vm, server, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    subs: db.prepare('SELECT * FROM rpo_subscriptions ORDER BY id'),
    subsOf: db.prepare('SELECT * FROM rpo_subscriptions WHERE channel_id = ? ORDER BY id'),
    removeSub: db.prepare('DELETE FROM rpo_subscriptions WHERE id = ?'),
    vms: db.prepare('SELECT * FROM rpo_vms ORDER BY job_key, vm_key'),
    putVm: db.prepare(
      `INSERT INTO rpo_vms (job_key, vm_key, job_name, vm_name, server_name, last_good_at, first_seen_at, gone_since)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (job_key, vm_key) DO UPDATE SET job_name = excluded.job_name, vm_name = excluded.vm_name,
         server_name = excluded.server_name, last_good_at = excluded.last_good_at, gone_since = excluded.gone_since,
         gone_reported_at = CASE WHEN excluded.gone_since IS NULL THEN NULL ELSE rpo_vms.gone_reported_at END`,
    ),
    newlyGone: db.prepare(
      'SELECT * FROM rpo_vms WHERE gone_since IS NOT NULL AND gone_since <= ? AND gone_reported_at IS NULL ORDER BY job_key, vm_key',
    ),
    markReported: db.prepare(
      'UPDATE rpo_vms SET gone_reported_at = ? WHERE gone_since IS NOT NULL AND gone_since <= ? AND gone_reported_at IS NULL',
    ),
    openAlerts: db.prepare(
      'SELECT id, revision, content FROM rpo_alerts WHERE closed_at IS NULL ORDER BY id',
    ),
    alert: db.prepare('SELECT id, revision, content FROM rpo_alerts WHERE id = ?'),
    addAlert: db.prepare(
      'INSERT INTO rpo_alerts (channel_id, job_key, opened_at, closed_at, revision, content) VALUES (?, ?, ?, ?, 0, ?)',
    ),
    updateAlert: db.prepare(
      'UPDATE rpo_alerts SET closed_at = ?, revision = revision + 1, content = ? WHERE id = ?',
    ),
  };

  const saveEvaluation = db.transaction((write: RpoEvaluationWrite) => {
    for (const vm of write.vms) {
      q.putVm.run(
        vm.jobName.toLowerCase(),
        vm.vmName.toLowerCase(),
        vm.jobName,
        vm.vmName,
        vm.serverName,
        vm.lastGoodAt?.getTime() ?? null,
        vm.firstSeenAt.getTime(),
        vm.goneSince?.getTime() ?? null,
      );
    }
    const opened: RpoAlert[] = [];
    for (const content of write.opened) {
      const info = q.addAlert.run(
        content.channelId,
        content.jobName.toLowerCase(),
        content.openedAt.getTime(),
        content.closedAt?.getTime() ?? null,
        JSON.stringify(content),
      );
      opened.push({ ...content, id: Number(info.lastInsertRowid), revision: 0 });
    }
    const updated: RpoAlert[] = [];
    for (const { alertId, content } of write.updated) {
      q.updateAlert.run(content.closedAt?.getTime() ?? null, JSON.stringify(content), alertId);
      const row = q.alert.get(alertId) as AlertRecord | undefined;
      if (row) updated.push(toAlert(row));
    }
    write.afterAlerts({ opened, updated });
  });

  return {
    subscriptions: {
      add: async (input, now) => {
        const info = q.addSub.run(
          input.channelId,
          input.rpoMs,
          input.job,
          input.vm,
          input.server,
          input.createdBy,
          now.getTime(),
        );
        return { ...input, id: Number(info.lastInsertRowid), createdAt: now };
      },
      list: async (channelId) =>
        ((channelId === undefined ? q.subs.all() : q.subsOf.all(channelId)) as SubscriptionRecord[]).map(
          toSubscription,
        ),
      remove: async (id) => q.removeSub.run(id).changes > 0,
    },
    vms: {
      all: async () => (q.vms.all() as VmRecord[]).map(toVm),
      takeNewlyGone: async (before, now) =>
        db.transaction(() => {
          const rows = (q.newlyGone.all(before.getTime()) as VmRecord[]).map(toVm);
          q.markReported.run(now.getTime(), before.getTime());
          return rows;
        })(),
    },
    alerts: {
      open: async () => (q.openAlerts.all() as AlertRecord[]).map(toAlert),
      get: async (id) => {
        const row = q.alert.get(id) as AlertRecord | undefined;
        return row ? toAlert(row) : null;
      },
    },
    saveEvaluation: async (write) => {
      saveEvaluation(write);
    },
  };
}
