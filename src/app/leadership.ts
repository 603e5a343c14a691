/**
 * Leadership: of the processes on one database, the one holding the lease runs the leader-only services (the alert
 * poller and outbox, the digest scheduler); the others answer Slack and the terminal and stand by. Every third of
 * the lease period the leader renews and a standby tries to take over, so a standby takes over within about two
 * periods after the holder died (at once after a clean stop, which releases the lease).
 *
 * `fence()` is what the leader-only services ask before each send: true only while this process still holds the
 * lease with the token it started them with. A leader that finds its lease lost stops them. Logs name the token
 * `fencingToken`: the logger redacts every `token` key.
 */
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/error-message.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { Lease } from '../store/lease.js';
import type { StoreDb } from '../store/open-database.js';
import type { Service } from './feature.js';

export interface LeadershipStatus {
  role: 'leader' | 'standby';
  /** this process's owner id */
  ownerId: string;
  /** who holds the lease now (this process or another), null when nobody does */
  holder: string | null;
  /** the current fencing token, null before anyone held the lease */
  token: number | null;
}

export interface Leadership {
  /** tries to take the lease once and starts the heartbeat */
  start(): Promise<void>;
  /** stops the leader-only services, releases the lease */
  stop(): Promise<void>;
  /** one heartbeat (leader) or takeover attempt (standby); the timer calls it, tests may too */
  tick(): Promise<void>;
  status(): Promise<LeadershipStatus>;
  /** see `Fence` (src/store/lease.ts): `within` is the transaction of the write it guards */
  fence(within?: StoreDb): Promise<boolean>;
  /** the token the leader-only services were started with; null while standby */
  token(): number | null;
}

export interface LeadershipOptions {
  lease: Lease;
  /** read when the lease is won, so features can be created after this */
  services: () => readonly Service[];
  clock: Clock;
  logger: Logger;
  /** false in tests that drive tick() themselves */
  timers?: boolean;
  /** counts lease changes and shows the holder gauge (src/metrics.ts) */
  metrics?: Pick<Metrics, 'leaseChange' | 'watchLeadership'>;
}

export function createLeadership(options: LeadershipOptions): Leadership {
  const { lease, logger } = options;
  let token: number | null = null;
  let started: Service[] = [];
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  options.metrics?.watchLeadership(() => fence());

  const serial = (step: () => Promise<void>): Promise<void> => {
    chain = chain.then(step).catch((error: unknown) => {
      logger.error({ err: errorMessage(error) }, 'leadership step failed; trying again next beat');
    });
    return chain;
  };

  const stopServices = async (): Promise<void> => {
    for (const service of started.reverse()) {
      await service.stop().catch((error: unknown) => {
        logger.warn({ service: service.name, err: errorMessage(error) }, 'service did not stop cleanly');
      });
    }
    started = [];
  };

  const lead = async (): Promise<void> => {
    if (stopped || token !== null) return;
    const won = await lease.tryAcquire();
    if (won === null) return;
    token = won.token;
    // the token grows on every takeover: above 1, someone held the lease before (a failover or a handover)
    options.metrics?.leaseChange(won.token > 1 ? 'takeover' : 'acquired');
    logger.info(
      { role: 'leader', holder: lease.ownerId, fencingToken: token },
      'leader: this process polls, sends alerts and digests',
    );
    for (const service of options.services()) {
      if (stopped || !(await fence())) break;
      await service.start();
      started.push(service);
    }
  };

  /**
   * The heartbeat renews at once, outside the chain: a service that is slow to start (the digest catch-up pass)
   * must not delay it. Taking over, and stopping after a lost lease, go through the chain one at a time.
   */
  let renewing: Promise<void> | null = null;
  const step = async (): Promise<void> => {
    if (stopped) return chain;
    if (token === null) return serial(lead);
    // one heartbeat at a time: a slow database must not pile them up
    if (renewing !== null) return renewing;
    let lostLease = false;
    renewing = (async () => {
      try {
        lostLease = !(await lease.renew());
      } catch (error) {
        // the database was busy or unreachable: try again on the next beat (the lease has two more)
        logger.warn({ err: errorMessage(error) }, 'lease heartbeat failed; trying again');
      }
    })();
    await renewing;
    renewing = null;
    if (!lostLease || token === null) return chain;
    const lost = token;
    token = null;
    options.metrics?.leaseChange('lost');
    const now = await lease.current().catch(() => null);
    logger.warn(
      {
        role: 'standby',
        lostFencingToken: lost,
        holder: now?.live ? now.holder : null,
        fencingToken: now?.token ?? null,
      },
      'lease lost (a heartbeat came too late); stopping the poller, outbox and digests',
    );
    return serial(stopServices);
  };

  async function fence(within?: StoreDb): Promise<boolean> {
    return token !== null && lease.isHeld(token, within);
  }

  return {
    async start() {
      // the heartbeat runs from the start: the leader-only services may take a while to start
      if (options.timers !== false) {
        timer = setInterval(() => void step(), Math.max(1, Math.floor(lease.periodMs / 3)));
        timer.unref();
      }
      await step();
      await serial(async () => {
        if (token === null) {
          const now = await lease.current();
          logger.info(
            { role: 'standby', holder: now?.holder ?? null, fencingToken: now?.token ?? null },
            'standby: another replibot holds the lease on this database; answering only, taking over if it stops',
          );
        }
      });
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      await serial(async () => {
        await stopServices();
        if (token !== null) {
          await lease.release();
          options.metrics?.leaseChange('released');
          logger.info({ fencingToken: token }, 'lease released: a standby can take over now');
        }
        token = null;
      });
    },
    tick: step,
    async status() {
      const now = await lease.current();
      return {
        role: token !== null && (await fence()) ? 'leader' : 'standby',
        ownerId: lease.ownerId,
        holder: now?.live ? now.holder : null,
        token: now?.token ?? null,
      };
    },
    fence,
    token: () => token,
  };
}
