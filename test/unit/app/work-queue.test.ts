import { describe, expect, it } from 'vitest';
import { createWorkQueue } from '../../../src/app/work-queue.js';
import { silentLogger } from '../../../src/logger.js';

/** A job that records its start and ends only when the test says so. */
function createGate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

describe('createWorkQueue', () => {
  it('never starts a job inside offer', async () => {
    const queue = createWorkQueue({ concurrency: 2, backlog: 2, logger: silentLogger });
    const events: string[] = [];
    expect(queue.offer('a', async () => void events.push('a ran'))).toBe(true);
    events.push('offer returned');
    await queue.idle();
    expect(events).toEqual(['offer returned', 'a ran']);
  });

  it('runs at most `concurrency` jobs at once, in the order offered', async () => {
    const queue = createWorkQueue({ concurrency: 2, backlog: 10, logger: silentLogger });
    const gates = [createGate(), createGate(), createGate(), createGate()];
    const started: number[] = [];
    let most = 0;
    for (const [i, gate] of gates.entries())
      queue.offer(`job ${i}`, async () => {
        started.push(i);
        most = Math.max(most, queue.running);
        await gate.opened;
      });
    expect(queue.running + queue.waiting).toBe(4);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    gates[1]!.open();
    gates[0]!.open();
    gates[2]!.open();
    gates[3]!.open();
    await queue.idle();
    expect(started).toEqual([0, 1, 2, 3]);
    expect(most).toBe(2);
  });

  it('refuses a job beyond the backlog and takes jobs again once there is room', async () => {
    const queue = createWorkQueue({ concurrency: 1, backlog: 2, logger: silentLogger });
    const gate = createGate();
    const ran: string[] = [];
    const job = (name: string) => async () => {
      ran.push(name);
      await gate.opened;
    };
    const offered = ['a', 'b', 'c', 'd', 'e'].map((name) => queue.offer(name, job(name)));
    expect(offered).toEqual([true, true, true, false, false]);
    expect(queue.waiting).toBe(2);
    gate.open();
    await queue.idle();
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(queue.offer('f', job('f'))).toBe(true);
    await queue.idle();
    expect(ran).toEqual(['a', 'b', 'c', 'f']);
  });

  it('goes on after a job fails', async () => {
    const queue = createWorkQueue({ concurrency: 1, backlog: 1, logger: silentLogger });
    const ran: string[] = [];
    queue.offer('fails', async () => {
      throw new Error('EM is down');
    });
    queue.offer('next', async () => void ran.push('next'));
    await queue.idle();
    expect(ran).toEqual(['next']);
    expect(queue.running).toBe(0);
  });

  it('drops waiting jobs on close, lets the running one end and refuses new ones', async () => {
    const queue = createWorkQueue({ concurrency: 1, backlog: 5, logger: silentLogger });
    const gate = createGate();
    const ran: string[] = [];
    queue.offer('running', async () => {
      ran.push('running');
      await gate.opened;
      ran.push('running ended');
    });
    queue.offer('waiting', async () => void ran.push('waiting'));
    await new Promise((resolve) => setImmediate(resolve));
    const closed = queue.close();
    expect(queue.offer('late', async () => void ran.push('late'))).toBe(false);
    gate.open();
    await closed;
    expect(ran).toEqual(['running', 'running ended']);
  });
});
