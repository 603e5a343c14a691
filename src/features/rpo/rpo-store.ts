/**
 * The RPO watch's store: subscriptions, the VMs replibot has seen replicated (their last good copy, since when
 * they are gone), and the open alerts per job and channel. Async repositories on Kysely, so SQLite and
 * PostgreSQL alike. An evaluation is written in one transaction together with its outbox rows: the caller runs
 * `saveEvaluation` with the executor of the alerts' transaction, so a crash leaves the previous state.
 */
import type { Generated, Kysely, Selectable } from 'kysely';
import type { SessionKind } from '../../core/backup-sessions.js';
import type { StoreDb } from '../../store/open-database.js';
import type { KnownVm } from './domain/evaluate-rpo.js';
import type { RpoAlert, RpoAlertContent, RpoSubscription } from './domain/plan-rpo-alerts.js';

export interface NewRpoSubscription {
  channelId: string;
  rpoMs: number | null;
  job: string | null;
  vm: string | null;
  server: string | null;
  createdBy: string;
  /** absent: replication */
  kind?: SessionKind;
}

/** What one evaluation writes. */
export interface RpoEvaluationWrite {
  at: Date;
  /** the kind it judged (replication when absent): its VMs are written under it */
  kind?: SessionKind;
  vms: readonly KnownVm[];
  opened: readonly RpoAlertContent[];
  updated: ReadonlyArray<{ alertId: number; content: RpoAlertContent }>;
}

export interface RpoStore {
  readonly subscriptions: {
    add(input: NewRpoSubscription, now: Date): Promise<RpoSubscription>;
    list(channelId?: string): Promise<RpoSubscription[]>;
    remove(id: number): Promise<boolean>;
  };
  readonly vms: {
    /** the VMs known for one kind (replication when absent) */
    all(kind?: SessionKind): Promise<KnownVm[]>;
    /**
     * VMs gone before `before` that no digest has named yet and that `wanted` keeps (a digest's filters; every
     * one when absent), marked named at `now`: each is said once, by the first digest that would show it.
     */
    takeNewlyGone(
      before: Date,
      now: Date,
      wanted?: (vm: KnownVm & { kind: SessionKind }) => boolean,
    ): Promise<Array<KnownVm & { kind: SessionKind }>>;
  };
  readonly alerts: {
    open(): Promise<RpoAlert[]>;
    get(id: number): Promise<RpoAlert | null>;
  };
  /**
   * Writes one evaluation through `executor` (the transaction it is part of; the store's own connection when
   * absent) and returns the alerts as stored, with their ids and revisions.
   */
  saveEvaluation(
    write: RpoEvaluationWrite,
    executor?: StoreDb,
  ): Promise<{ opened: RpoAlert[]; updated: RpoAlert[] }>;
}

/** The RPO tables (migrations.ts), as Kysely sees them. */
export type RpoTables = {
  rpo_subscriptions: {
    id: Generated<number>;
    channel_id: string;
    rpo_ms: number | null;
    job: string | null;
    vm: string | null;
    server: string | null;
    created_by: string;
    created_at: number;
    /** null: replication (migration 201) */
    kind: string | null;
  };
  rpo_vms: {
    job_key: string;
    vm_key: string;
    job_name: string;
    vm_name: string;
    server_name: string | null;
    last_good_at: number | null;
    first_seen_at: number;
    gone_since: number | null;
    gone_reported_at: number | null;
    /** `replication` or `backup` (migration 201) */
    kind: Generated<string>;
  };
  rpo_alerts: {
    id: Generated<number>;
    channel_id: string;
    job_key: string;
    opened_at: number;
    closed_at: number | null;
    revision: Generated<number>;
    content: string;
  };
};

type VmRecord = Selectable<RpoTables['rpo_vms']>;
type AlertRecord = Pick<Selectable<RpoTables['rpo_alerts']>, 'id' | 'revision' | 'content'>;
type SubscriptionRecord = Selectable<RpoTables['rpo_subscriptions']>;

const DATE_KEYS = new Set(['openedAt', 'closedAt', 'lastGoodAt', 'backAt', 'lastRunAt', 'stuckSince']);

function toContent(json: string): RpoAlertContent {
  // written by saveEvaluation from an RpoAlertContent; only its dates need reviving
  return JSON.parse(json, (key, value) =>
    DATE_KEYS.has(key) && typeof value === 'string' ? new Date(value) : value,
  ) as RpoAlertContent;
}

const toAlert = (row: AlertRecord): RpoAlert => ({
  ...toContent(row.content),
  id: Number(row.id),
  revision: Number(row.revision),
});

const toDate = (ms: number | null) => (ms === null ? null : new Date(Number(ms)));

const toVm = (row: VmRecord): KnownVm => ({
  jobName: row.job_name,
  vmName: row.vm_name,
  serverName: row.server_name,
  lastGoodAt: toDate(row.last_good_at),
  firstSeenAt: new Date(Number(row.first_seen_at)),
  goneSince: toDate(row.gone_since),
});

const toSubscription = (row: SubscriptionRecord): RpoSubscription => ({
  id: Number(row.id),
  channelId: row.channel_id,
  rpoMs: row.rpo_ms === null ? null : Number(row.rpo_ms),
  job: row.job,
  vm: row.vm,
  server: row.server,
  createdBy: row.created_by,
  createdAt: new Date(Number(row.created_at)),
  ...(row.kind === 'backup' ? { kind: 'backup' as const } : {}),
});

const toKind = (text: string | null | undefined): SessionKind =>
  text === 'backup' ? 'backup' : 'replication';

/**
 * The key of a job's rows: its lower-case name, prefixed `backup:` for backups, so a backup job and a
 * replication job of the same name (on two backup servers) never share a VM row or an open alert (the keys are
 * unique per job and VM, and per channel and job for open alerts). Only keys: names are read from `job_name`.
 */
const toJobKey = (jobName: string, kind: SessionKind | undefined) =>
  kind === 'backup' ? `backup:${jobName.toLowerCase()}` : jobName.toLowerCase();

export function createRpoStore(store: StoreDb): RpoStore {
  const db: Kysely<RpoTables> = store.withTables<RpoTables>();
  const alertRow = (executor: Kysely<RpoTables>, id: number) =>
    executor
      .selectFrom('rpo_alerts')
      .select(['id', 'revision', 'content'])
      .where('id', '=', id)
      .executeTakeFirst();

  const saveEvaluation: RpoStore['saveEvaluation'] = async (write, within) => {
    const run = async (tx: Kysely<RpoTables>) => {
      for (const vm of write.vms) {
        const values = {
          job_name: vm.jobName,
          vm_name: vm.vmName,
          server_name: vm.serverName,
          last_good_at: vm.lastGoodAt?.getTime() ?? null,
          gone_since: vm.goneSince?.getTime() ?? null,
        };
        await tx
          .insertInto('rpo_vms')
          .values({
            ...values,
            job_key: toJobKey(vm.jobName, write.kind),
            vm_key: vm.vmName.toLowerCase(),
            first_seen_at: vm.firstSeenAt.getTime(),
            kind: toKind(write.kind),
          })
          .onConflict((c) =>
            c.columns(['job_key', 'vm_key']).doUpdateSet({
              ...values,
              // back in EM: a later departure is named in a digest again
              ...(vm.goneSince === null ? { gone_reported_at: null } : {}),
            }),
          )
          .execute();
      }
      const opened: RpoAlert[] = [];
      for (const content of write.opened) {
        const row = await tx
          .insertInto('rpo_alerts')
          .values({
            channel_id: content.channelId,
            job_key: toJobKey(content.jobName, content.kind),
            opened_at: content.openedAt.getTime(),
            closed_at: content.closedAt?.getTime() ?? null,
            content: JSON.stringify(content),
          })
          .returning(['id'])
          .executeTakeFirstOrThrow();
        opened.push({ ...content, id: Number(row.id), revision: 0 });
      }
      const updated: RpoAlert[] = [];
      for (const { alertId, content } of write.updated) {
        await tx
          .updateTable('rpo_alerts')
          .set((eb) => ({
            closed_at: content.closedAt?.getTime() ?? null,
            revision: eb('revision', '+', 1),
            content: JSON.stringify(content),
          }))
          .where('id', '=', alertId)
          .execute();
        const row = await alertRow(tx, alertId);
        if (row) updated.push(toAlert(row));
      }
      return { opened, updated };
    };
    if (within !== undefined) return run(within.withTables<RpoTables>());
    return db.transaction().execute(run);
  };

  return {
    subscriptions: {
      add: async (input, now) =>
        toSubscription(
          await db
            .insertInto('rpo_subscriptions')
            .values({
              channel_id: input.channelId,
              rpo_ms: input.rpoMs,
              job: input.job,
              vm: input.vm,
              server: input.server,
              created_by: input.createdBy,
              created_at: now.getTime(),
              kind: input.kind === 'backup' ? 'backup' : null,
            })
            .returningAll()
            .executeTakeFirstOrThrow(),
        ),
      list: async (channelId) => {
        let query = db.selectFrom('rpo_subscriptions').selectAll().orderBy('id');
        if (channelId !== undefined) query = query.where('channel_id', '=', channelId);
        return (await query.execute()).map(toSubscription);
      },
      remove: async (id) =>
        Number(
          (await db.deleteFrom('rpo_subscriptions').where('id', '=', id).executeTakeFirst()).numDeletedRows,
        ) > 0,
    },
    vms: {
      all: async (kind) =>
        (
          await db
            .selectFrom('rpo_vms')
            .selectAll()
            .where('kind', '=', toKind(kind))
            .orderBy('job_key')
            .orderBy('vm_key')
            .execute()
        ).map(toVm),
      takeNewlyGone: (before, now, wanted) =>
        db.transaction().execute(async (tx) => {
          const rows = await tx
            .selectFrom('rpo_vms')
            .selectAll()
            .where('gone_since', 'is not', null)
            .where('gone_since', '<=', before.getTime())
            .where('gone_reported_at', 'is', null)
            .orderBy('job_key')
            .orderBy('vm_key')
            .execute();
          const taken = rows
            .map((row) => ({ row, vm: { ...toVm(row), kind: toKind(row.kind) } }))
            .filter(({ vm }) => wanted === undefined || wanted(vm));
          // only the ones this digest names are marked: another digest's filters may still want the others
          for (const { row } of taken) {
            await tx
              .updateTable('rpo_vms')
              .set({ gone_reported_at: now.getTime() })
              .where('job_key', '=', row.job_key)
              .where('vm_key', '=', row.vm_key)
              .where('gone_reported_at', 'is', null)
              .execute();
          }
          return taken.map(({ vm }) => vm);
        }),
    },
    alerts: {
      open: async () =>
        (
          await db
            .selectFrom('rpo_alerts')
            .select(['id', 'revision', 'content'])
            .where('closed_at', 'is', null)
            .orderBy('id')
            .execute()
        ).map(toAlert),
      get: async (id) => {
        const row = await alertRow(db, id);
        return row ? toAlert(row) : null;
      },
    },
    saveEvaluation,
  };
}
