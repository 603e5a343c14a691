/** The SQLite dialect over one connection: a query sent around its transaction is named, never a silent hang. */
import { describe, expect, it } from 'vitest';
import { openStore } from '../../fakes/open-store.js';

describe('ReplibotSqliteDialect', () => {
  it('refuses a query through the database from inside one of its transactions, and runs it through the transaction', async () => {
    const store = await openStore();
    await expect(store.transaction(async () => store.outbox.all())).rejects.toThrow(
      /from inside one of its transactions/,
    );
    expect(await store.transaction(async (tx) => tx.outbox.all())).toEqual([]);
    // after the refused transaction, the connection is free again
    expect(await store.outbox.all()).toEqual([]);
    await store.close();
  });
});
