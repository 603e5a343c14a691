/**
 * The bounded queue every piece of background work goes through (answers to slash commands, mentions, DMs and
 * buttons), so that an ack never waits behind it: at most `concurrency` jobs run at once, at most `backlog`
 * wait, and a job offered beyond that is refused at once (`offer` returns false) so the caller can say "busy"
 * instead of memory growing with the queue. A job never starts inside `offer`: it starts on a later turn of
 * the event loop, after the listener that offered it (and its ack) has returned.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { errorMessage } from '../core/error-message.js';
import type { Logger } from '../logger.js';

/** Answers at once: enough to keep a slow EM busy, few enough that their decoding leaves room for acks. */
export const DEFAULT_WORK_CONCURRENCY = 4;
/** Jobs waiting beyond those running: about a minute of answers on a slow EM. */
export const DEFAULT_WORK_BACKLOG = 100;
/** What a refused job tells the person who asked. */
export const BUSY_TEXT = ':hourglass: replibot is busy; try again in a minute.';

export interface WorkQueueOptions {
  /** jobs running at once, at least 1 */
  concurrency?: number;
  /** jobs waiting to run, at least 0 */
  backlog?: number;
  logger: Logger;
}

export interface WorkQueue {
  /**
   * Queues `job` (it starts on a later turn of the event loop); false, and the job is dropped, when
   * `backlog` jobs already wait or the queue is closed. A job's failure is logged, never thrown.
   */
  offer(name: string, job: () => Promise<unknown>): boolean;
  readonly running: number;
  readonly waiting: number;
  /** resolves once nothing runs or waits */
  idle(): Promise<void>;
  /** refuses new jobs, drops those waiting, and resolves once the running ones end */
  close(): Promise<void>;
}

/** One turn of the event loop (pending I/O, such as an ack, goes first): the `pause` for `runInSlices`. */
export function yieldToEventLoop(): Promise<void> {
  return nextTurn();
}

interface Job {
  name: string;
  run: () => Promise<unknown>;
}

export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? DEFAULT_WORK_CONCURRENCY));
  const backlog = Math.max(0, Math.floor(options.backlog ?? DEFAULT_WORK_BACKLOG));
  const logger = options.logger;
  const waiting: Job[] = [];
  let head = 0;
  let running = 0;
  let closed = false;
  let idleWaiters: Array<() => void> = [];

  const waitingCount = () => waiting.length - head;
  const settleIdle = () => {
    if (running > 0 || waitingCount() > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };
  const take = (): Job | undefined => {
    if (head === waiting.length) return undefined;
    const job = waiting[head];
    // cast: the consumed slot is cleared for the GC; take() never reads a slot behind head
    waiting[head] = undefined as unknown as Job;
    head += 1;
    // compact now and then so the array does not keep every job ever offered
    if (head > 64 && head * 2 > waiting.length) {
      waiting.splice(0, head);
      head = 0;
    }
    return job;
  };
  const pump = () => {
    while (running < concurrency) {
      const job = take();
      if (!job) break;
      running += 1;
      void runJob(job);
    }
    settleIdle();
  };
  const runJob = async (job: Job) => {
    try {
      // a later turn: whatever offered the job (a Bolt listener that has just acked) returns first
      await nextTurn();
      await job.run();
    } catch (error) {
      logger.error({ job: job.name, err: errorMessage(error) }, 'background work failed');
    } finally {
      running -= 1;
      pump();
    }
  };

  return {
    offer(name, run) {
      if (closed) return false;
      // a free slot takes the job without it counting against the backlog
      if (waitingCount() >= backlog && running >= concurrency) {
        logger.warn({ job: name, running, waiting: waitingCount() }, 'refused background work: busy');
        return false;
      }
      waiting.push({ name, run });
      pump();
      return true;
    },
    get running() {
      return running;
    },
    get waiting() {
      return waitingCount();
    },
    idle() {
      if (running === 0 && waitingCount() === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
    async close() {
      closed = true;
      const dropped = waitingCount();
      waiting.length = 0;
      head = 0;
      if (dropped > 0) logger.warn({ dropped }, 'dropped waiting background work on stop');
      settleIdle();
      if (running > 0) await new Promise<void>((resolve) => idleWaiters.push(resolve));
    },
  };
}
