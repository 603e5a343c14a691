/** The memory of handled Slack events in the store: shared by instances on one database, on both engines. */
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/logger.js';
import { createStoredEventIds } from '../../src/slack/stored-event-ids.js';
import { ENGINES, useStoreEngine } from '../fakes/store-engines.js';

describe.each(ENGINES)('createStoredEventIds on %s', (engine) => {
  const engineStore = useStoreEngine(engine);

  it('answers an event once across two instances and forgets it after the window', async () => {
    const target = await engineStore.target();
    let nowMs = Date.parse('2026-12-01T10:00:00Z');
    const clock = { now: () => new Date(nowMs) };
    const options = { ttlMs: 3_600_000, clock, logger: silentLogger };
    const first = createStoredEventIds((await engineStore.open(target)).db, options);
    const second = createStoredEventIds((await engineStore.open(target)).db, options);
    expect(await first.remember('Ev1')).toBe(true);
    // Slack's retry reaches the other instance
    expect(await second.remember('Ev1')).toBe(false);
    expect(await first.remember('Ev1')).toBe(false);
    expect(await second.remember('Ev2')).toBe(true);
    // a fresh instance after the window (its first insert prunes what is older)
    nowMs += 3_600_001;
    const third = createStoredEventIds((await engineStore.open(target)).db, options);
    expect(await third.remember('Ev1')).toBe(true);
  });
});
