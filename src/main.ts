/**
 * The composition root, and only that: config -> database -> EM connection -> features -> front doors.
 * `startReplibot` runs the Slack app (SLACK_BOT_TOKEN set) or the terminal chat, against EM (VEEAM_URL set) or
 * the built-in simulator. Features plug in through FEATURES (the contract is src/app/feature.ts).
 */
import type { Readable, Writable } from 'node:stream';
import { createDefaultAnswerer } from './answers/create-default-answerer.js';
import { connectEm } from './app/connect-em.js';
import { describeDatabase, openReplibotDatabase, toDatabasePath } from './app/database.js';
import type { Feature, FeatureContext, FeatureFactory, Service } from './app/feature.js';
import { createLeadership, type Leadership } from './app/leadership.js';
import { createInteractiveLogger, localTimeZone, transportNotes } from './commands/one-shot.js';
import { loadConfig } from './config.js';
import { type Clock, systemClock } from './core/clock.js';
import { createAlertsFeature } from './features/alerts/feature.js';
import { createDemoFeature } from './features/demo/feature.js';
import { createDigestFeature } from './features/digests/feature.js';
import { createLogger } from './logger.js';
import { createShell, type Shell } from './shell/shell.js';
import { createSlackApp, type SlackAppHandle } from './slack/app.js';
import { createSlackWebClient } from './slack/web-client.js';
import { createLease, toOwnerId } from './store/lease.js';

/** Alerts, digests and the demo: one line each. */
export const FEATURES: FeatureFactory[] = [createAlertsFeature, createDigestFeature, createDemoFeature];

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  input?: Readable;
  output?: Writable;
  /** logs and notes go here; default process.stderr */
  errorOutput?: Writable;
  /** interactive prompt and colours; default: input and output are both TTYs */
  isTTY?: boolean;
  clock?: Clock;
  /** default FEATURES */
  features?: FeatureFactory[];
  /** tests: extra options for the Slack app (a retry policy, the listen host) */
  slack?: Pick<Parameters<typeof createSlackApp>[0], 'clientOptions' | 'host'>;
  /** tests: extra options for the EM client (a retry policy) */
  em?: Parameters<typeof connectEm>[3];
}

export interface RunningReplibot {
  mode: 'slack' | 'shell';
  /** set when the built-in simulator answers instead of a real EM */
  simulatorUrl: string | undefined;
  slack: SlackAppHandle | undefined;
  shell: Shell | undefined;
  /** which process on the database runs the poller, outbox and digests (src/app/leadership.ts) */
  leadership: Leadership;
  /** resolves when the terminal chat ends (exit, Ctrl+D, end of piped input) or stop() is called */
  done: Promise<void>;
  stop(): Promise<void>;
}

export async function startReplibot(options: StartOptions = {}): Promise<RunningReplibot> {
  const env = options.env ?? process.env;
  const config = loadConfig(env);
  const mode = config.slack ? 'slack' : 'shell';
  const errorOutput = options.errorOutput ?? process.stderr;
  // In the terminal chat, logs would share the screen with answers (see createInteractiveLogger).
  const logger =
    mode === 'shell'
      ? createInteractiveLogger(env, config, errorOutput)
      : createLogger(config.logLevel, errorOutput);
  const clock = options.clock ?? systemClock;
  // DATABASE_PATH when set or with a real EM; only the demo without it stays in memory (src/app/database.ts)
  const database = await openReplibotDatabase(toDatabasePath(config), {
    onIdleError: (message) =>
      logger.warn({ err: message }, 'a PostgreSQL connection broke; the pool replaces it'),
  });
  const { db } = database;
  if (mode === 'slack') logger.info({ engine: database.dialect }, describeDatabase(config));
  const connection = await connectEm(config, logger, {}, options.em).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const { em, simulator } = connection;
  const answerer = createDefaultAnswerer(em);
  if (simulator && mode === 'slack') {
    logger.warn(
      { url: simulator.url },
      'VEEAM_URL is not set: answering from the built-in EM simulator (demo data)',
    );
  }

  let shell: Shell | undefined;
  // digests post on a schedule and retry within their grace period (src/slack/web-client.ts)
  const slackClient =
    config.slack &&
    createSlackWebClient(config.slack.botToken, {
      ...(config.slack.apiUrl ? { apiUrl: config.slack.apiUrl } : {}),
      purpose: 'scheduled',
      ...(options.slack?.clientOptions ? { overrides: options.slack.clientOptions } : {}),
    });
  // one writer per database: the lease holder runs the leader-only services, the others stand by
  const leaderServices: Service[] = [];
  const leadership = createLeadership({
    lease: createLease(db, { ownerId: toOwnerId(), periodMs: config.leaseSeconds * 1000, clock }),
    services: () => leaderServices,
    clock,
    logger,
  });
  const context: FeatureContext = {
    config,
    em,
    logger,
    clock,
    answerer,
    db,
    mode,
    slackClient,
    notify: (text) => (shell ? shell.notify(text) : logger.info({ notice: text }, 'notice')),
    simulator,
    fence: (within) => leadership.fence(within),
  };
  const features: Feature[] = [];
  for (const factory of options.features ?? FEATURES) features.push(await factory(context));
  const services = features.flatMap((f) => f.services ?? []);
  leaderServices.push(...features.flatMap((f) => f.leaderServices ?? []));
  const started: Service[] = [];

  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  let slack: SlackAppHandle | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      // first: stops the leader-only services and releases the lease, so a standby takes over at once
      await leadership.stop().catch((error: unknown) => {
        logger.warn({ err: (error as Error).message }, 'leadership did not stop cleanly');
      });
      for (const service of started.reverse()) {
        await service.stop().catch((error: unknown) => {
          logger.warn(
            { service: service.name, err: (error as Error).message },
            'service did not stop cleanly',
          );
        });
      }
      shell?.close();
      await slack?.stop().catch(() => {});
      await connection.close().catch(() => {});
      await database.close().catch(() => {});
      resolveDone();
    })();
    return stopping;
  };

  try {
    if (mode === 'slack') {
      const homeExtras = features.flatMap((f) => (f.homeExtras ? [f.homeExtras] : []));
      slack = createSlackApp({
        config,
        em,
        logger,
        clock,
        answerer,
        subcommands: features.flatMap((f) => f.subcommands ?? []),
        extend: (app) => {
          for (const feature of features) feature.extend?.(app);
        },
        health: async () => {
          const reports = await Promise.all(
            features.flatMap((f) =>
              f.health ? [Promise.resolve(f.health()).then((r) => ({ name: f.name, ...r }))] : [],
            ),
          );
          return {
            ok: reports.every((r) => r.ok),
            checks: {
              leadership: await leadership.status().catch((error: unknown) => ({
                error: `cannot read the lease: ${(error as Error).message}`,
              })),
              ...Object.fromEntries(reports.map((r) => [r.name, r.checks ?? r.ok])),
            },
          };
        },
        homeExtras:
          homeExtras.length === 0
            ? undefined
            : async () => (await Promise.all(homeExtras.map((h) => h()))).flat(),
        ...options.slack,
      });
      await slack.start();
    } else {
      const isTTY = options.isTTY ?? Boolean(process.stdin.isTTY && process.stdout.isTTY);
      const timeZone = localTimeZone(config);
      const where = simulator
        ? `no VEEAM_URL set, so the built-in Enterprise Manager simulator is answering with demo data (${simulator.url})`
        : `asking Enterprise Manager at ${config.veeam?.url}`;
      shell = createShell({
        em,
        input: options.input ?? process.stdin,
        output: options.output ?? process.stdout,
        isTTY,
        timeZone,
        clock,
        answerer,
        logger,
        commands: features.flatMap((f) => f.shellCommands ?? []),
        banner: `${transportNotes(config)
          .map((note) => `replibot: ${note}\n`)
          .join(
            '',
          )}replibot: ${where}. Times are in ${timeZone}. Ask about replicas, type help for examples${isTTY ? ', exit to leave' : ''}.\nreplibot: ${describeDatabase(config)}.${simulator && isTTY ? '\nTry: replicas failed today for apache02 — or fail apache02 to watch a failure alert arrive.' : ''}`,
      });
    }
    for (const service of services) {
      await service.start();
      started.push(service);
    }
    await leadership.start();
  } catch (error) {
    await stop();
    throw error;
  }
  if (shell) {
    const running = shell;
    running.run().then(
      () => stop(),
      (error: unknown) => {
        logger.error({ err: (error as Error).message }, 'the terminal chat failed');
        return stop();
      },
    );
  }
  return { mode, simulatorUrl: simulator?.url, slack, shell, leadership, done, stop };
}
