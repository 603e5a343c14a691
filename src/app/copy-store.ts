/**
 * `replibot store migrate`: copies an installation from one database to another (SQLite to PostgreSQL, the usual
 * move to several instances) without losing subscriptions, mutes, digest schedules or the record of what was
 * already posted. Both ends get every migration first; then each table replibot keeps is copied row by row in
 * batches, inside one transaction of the target, and PostgreSQL's id sequences continue after the copied ids.
 * Not copied: the migrations' bookkeeping (the target has its own), the lease (a new leader takes it on the target)
 * and the memory of handled Slack events (an hour's worth; harmless to lose).
 */
import { type Kysely, sql } from 'kysely';
import { ReplibotError } from '../core/errors.js';
import type { StoreDatabase } from '../store/open-database.js';

/** tables not copied (see above) */
const SKIPPED = new Set(['schema_migrations', 'lease', 'slack_events']);
/** parents before the tables that reference them; every other table follows, in name order */
const PARENTS_FIRST = ['alerts', 'digest_schedules'];
const BATCH = 500;

export interface CopyResult {
  /** rows copied per table, in copy order */
  tables: Array<{ name: string; rows: number }>;
}

// biome-ignore lint/suspicious/noExplicitAny: tables are discovered at run time (introspection), not typed
type AnyDb = Kysely<any>;

async function tablesOf(db: AnyDb): Promise<string[]> {
  const tables = await db.introspection.getTables();
  return tables.filter((t) => !t.isView && !SKIPPED.has(t.name)).map((t) => t.name);
}

async function countRows(db: AnyDb, table: string): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Copies every table of `from` into `to`. Refuses when the target already holds replibot data, unless `replace`
 * (then the target's rows are deleted first, in the same transaction).
 */
export async function copyStore(
  from: StoreDatabase,
  to: StoreDatabase,
  options: { replace?: boolean } = {},
): Promise<CopyResult> {
  const source: AnyDb = from.db;
  const target: AnyDb = to.db;
  const sourceTables = await tablesOf(source);
  const targetTables = new Set(await tablesOf(target));
  const missing = sourceTables.filter((t) => !targetTables.has(t));
  if (missing.length > 0)
    throw new ReplibotError('store_error', `The target has no table ${missing.join(', ')}.`, {
      hint: 'Run the same replibot version against both databases (its migrations create every table).',
    });
  const ordered = [
    ...PARENTS_FIRST.filter((t) => sourceTables.includes(t)),
    ...sourceTables.filter((t) => !PARENTS_FIRST.includes(t)).sort(),
  ];
  if (!options.replace) {
    const used: string[] = [];
    for (const table of ordered) if ((await countRows(target, table)) > 0) used.push(table);
    if (used.length > 0)
      throw new ReplibotError(
        'store_error',
        `The target database already holds replibot data (${used.join(', ')}).`,
        {
          hint: 'Point --to at an empty database, or add --replace to delete the target’s rows first.',
        },
      );
  }
  return target.transaction().execute(async (trx) => {
    if (options.replace) for (const table of [...ordered].reverse()) await trx.deleteFrom(table).execute();
    const tables: CopyResult['tables'] = [];
    for (const table of ordered) {
      const columns = (await source.introspection.getTables())
        .find((t) => t.name === table)
        ?.columns.map((c) => c.name);
      const hasId = columns?.includes('id') ?? false;
      let rows = 0;
      for (let offset = 0; ; offset += BATCH) {
        let page = source.selectFrom(table).selectAll().limit(BATCH).offset(offset);
        // a stable order so that pages neither skip nor repeat rows
        page = hasId ? page.orderBy('id') : page.orderBy(sql`1`);
        const batch = await page.execute();
        if (batch.length === 0) break;
        await trx.insertInto(table).values(batch).execute();
        rows += batch.length;
        if (batch.length < BATCH) break;
      }
      if (hasId && to.dialect === 'postgres')
        await sql`SELECT setval(pg_get_serial_sequence(${table}, 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM ${sql.table(table)}), false)`.execute(
          trx,
        );
      tables.push({ name: table, rows });
    }
    return { tables };
  });
}
