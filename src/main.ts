/**
 * The composition root, and only that: config -> database -> EM connection -> features -> front doors.
 * `startReplibot` runs the Slack app (SLACK_BOT_TOKEN set) or the terminal chat, against EM (VEEAM_URL set) or
 * the built-in simulator. Features plug in through FEATURES (the contract is src/app/feature.ts).
 */
import type { Readable, Writable } from 'node:stream';
import { createDefaultAnswerer } from './answers/create-default-answerer.js';
import type { Answerer } from './answers/domain/create-answerer.js';
import { connectEm, type EmConnection } from './app/connect-em.js';
import { describeDatabase, openReplibotDatabase, toDatabasePath } from './app/database.js';
import type { Feature, FeatureContext, FeatureFactory, Service } from './app/feature.js';
import { createDigestSections, withFeatureAnswers } from './app/feature-answers.js';
import { createJobButtons } from './app/job-buttons.js';
import { createLeadership, type Leadership } from './app/leadership.js';
import {
  type HealthReport,
  type ProbeServer,
  startProbeServer,
  toHealthRoute,
  toReadyAndMetricsRoutes,
} from './app/probes.js';
import { checkDatabase, createEmContact, toReadyReport } from './app/readiness.js';
import { createInteractiveLogger, localTimeZone, transportNotes } from './commands/one-shot.js';
import { loadConfig } from './config.js';
import { type Clock, systemClock } from './core/clock.js';
import { errorMessage } from './core/error-message.js';
import { createActionsFeature } from './features/actions/feature.js';
import { createAlertsFeature } from './features/alerts/feature.js';
import { createAlertDecorations } from './features/alerts/slack/alert-decorations.js';
import { createDemoFeature } from './features/demo/feature.js';
import { createDigestFeature } from './features/digests/feature.js';
import { createRpoFeature } from './features/rpo/feature.js';
import { createLogger } from './logger.js';
import { createMetrics, type Metrics } from './metrics.js';
import { createShell, type Shell } from './shell/shell.js';
import { createSlackApp, type SlackAppHandle } from './slack/app.js';
import { createStoredEventIds } from './slack/stored-event-ids.js';
import { createSlackWebClient } from './slack/web-client.js';
import { createLease, toOwnerId } from './store/lease.js';

/** Alerts, digests, the RPO watch, the demo and job actions: one line each. */
export const FEATURES: FeatureFactory[] = [
  createAlertsFeature,
  createDigestFeature,
  createDemoFeature,
  createRpoFeature,
  createActionsFeature,
];

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
  /** the process's metrics; a fresh registry when absent (tests may build several processes) */
  metrics?: Metrics;
}

export interface RunningReplibot {
  mode: 'slack' | 'shell';
  /** set when the built-in simulator answers instead of a real EM */
  simulatorUrl: string | undefined;
  slack: SlackAppHandle | undefined;
  shell: Shell | undefined;
  /** which process on the database runs the poller, outbox and digests (src/app/leadership.ts) */
  leadership: Leadership;
  metrics: Metrics;
  /** the terminal chat's listener for /healthz, /readyz and /metrics (when PORT is set), else undefined */
  probePort: number | undefined;
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
  const metrics = options.metrics ?? createMetrics();
  let connection: EmConnection | undefined;
  const emContact = createEmContact({ metrics, probe: () => connection?.probe });
  // DATABASE_PATH when set or with a real EM; only the demo without it stays in memory (src/app/database.ts)
  const database = await openReplibotDatabase(toDatabasePath(config), {
    onIdleError: (message) =>
      logger.warn({ err: message }, 'a PostgreSQL connection broke; the pool replaces it'),
  });
  const { db } = database;
  let databaseClosed = false;
  if (mode === 'slack') logger.info({ engine: database.dialect }, describeDatabase(config));
  connection = await connectEm(config, logger, {}, { ...options.em, metrics: emContact.observer }).catch(
    async (error: unknown) => {
      await database.close();
      throw error;
    },
  );
  const em = connection.em;
  const simulator = connection.simulator;
  const features: Feature[] = [];
  // the features' own questions (the RPO watch) first, then the session router
  const answerer = withFeatureAnswers(
    withQuestionMetrics(
      // the names EM knows load at start; a question asked before they have loaded waits at most 5 s for them
      createDefaultAnswerer(em, { preloadNamesAt: clock.now(), namesFirstWaitMs: 5_000 }),
      metrics,
    ),
    () => features,
  );
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
      metrics,
      ...(options.slack?.clientOptions ? { overrides: options.slack.clientOptions } : {}),
    });
  // one writer per database: the lease holder runs the leader-only services, the others stand by
  const leaderServices: Service[] = [];
  const leadership = createLeadership({
    lease: createLease(db, { ownerId: toOwnerId(), periodMs: config.leaseSeconds * 1000, clock }),
    services: () => leaderServices,
    clock,
    logger,
    metrics,
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
    digestSections: createDigestSections(),
    alertDecorations: createAlertDecorations(),
    jobButtons: createJobButtons(),
    metrics,
    fencingToken: () => leadership.token(),
  };
  for (const factory of options.features ?? FEATURES) features.push(await factory(context));
  const services = features.flatMap((f) => f.services ?? []);
  leaderServices.push(...features.flatMap((f) => f.leaderServices ?? []));
  const started: Service[] = [];

  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  let slack: SlackAppHandle | undefined;
  let probeServer: ProbeServer | undefined;
  let shellStarted = false;
  let stopping: Promise<void> | undefined;
  const probeRoutes = toReadyAndMetricsRoutes({
    metrics,
    ready: async () =>
      toReadyReport({
        database: await checkDatabase(db, () => databaseClosed),
        frontDoor:
          mode === 'slack'
            ? slack?.started
              ? { ok: true }
              : { ok: false, reason: 'the Slack app is not connected yet' }
            : shellStarted
              ? { ok: true }
              : { ok: false, reason: 'the terminal chat is not started yet' },
        em: emContact.check(),
        stopping: stopping !== undefined,
      }),
  });
  const stop = () => {
    stopping ??= (async () => {
      // first: stops the leader-only services and releases the lease, so a standby takes over at once
      await leadership.stop().catch((error: unknown) => {
        logger.warn({ err: errorMessage(error) }, 'leadership did not stop cleanly');
      });
      for (const service of started.reverse()) {
        await service.stop().catch((error: unknown) => {
          logger.warn({ service: service.name, err: errorMessage(error) }, 'service did not stop cleanly');
        });
      }
      shell?.close();
      await slack?.stop().catch(() => {});
      await probeServer?.close().catch(() => {});
      // logs off EM (and stops the built-in simulator)
      await connection?.close().catch(() => {});
      databaseClosed = true;
      await database.close().catch(() => {});
      resolveDone();
    })();
    return stopping;
  };

  const healthOf = async (): Promise<HealthReport> => {
    const reports = await Promise.all(
      features.flatMap((f) =>
        f.health ? [Promise.resolve(f.health()).then((r) => ({ name: f.name, ...r }))] : [],
      ),
    );
    return {
      ok: reports.every((r) => r.ok),
      checks: {
        leadership: await leadership.status().catch((error: unknown) => ({
          error: `cannot read the lease: ${errorMessage(error) ?? 'an unknown error'}`,
        })),
        ...Object.fromEntries(reports.map((r) => [r.name, r.checks ?? r.ok])),
      },
    };
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
        health: healthOf,
        routes: probeRoutes,
        metrics,
        // Slack retries an event to any instance: the memory of handled ones is the store, shared by all
        recentEvents: createStoredEventIds(db, {
          ttlMs: 3_600_000,
          clock,
          logger,
        }),
        ...(context.jobButtons ? { jobButtons: context.jobButtons } : {}),
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
        slackSubcommands: features.flatMap((f) => f.subcommands ?? []),
        banner: `${transportNotes(config)
          .map((note) => `replibot: ${note}\n`)
          .join(
            '',
          )}replibot: ${where}. Times are in ${timeZone}. Ask about replicas or backups, type help for examples${isTTY ? ', exit to leave' : ''}.\nreplibot: ${describeDatabase(config)}.${simulator && isTTY ? '\nTry: replicas failed today for apache02 — or fail apache02 to watch a failure alert arrive.' : ''}`,
      });
    }
    for (const service of services) {
      await service.start();
      started.push(service);
    }
    await leadership.start();
    if (shell) shellStarted = true;
    if (mode === 'shell' && config.portGiven) {
      // the terminal chat has no Bolt receiver: a small listener of its own, only when PORT asks for one
      probeServer = await startProbeServer(
        [toHealthRoute(() => (stopping ? 'stopping' : 'started'), healthOf), ...probeRoutes],
        { port: config.port, ...(options.slack?.host ? { host: options.slack.host } : {}) },
      );
      logger.info({ port: probeServer.port }, 'serving /healthz, /readyz and /metrics');
    }
  } catch (error) {
    await stop();
    throw error;
  }
  if (shell) {
    const running = shell;
    running.run().then(
      () => stop(),
      (error: unknown) => {
        logger.error({ err: errorMessage(error) }, 'the terminal chat failed');
        return stop();
      },
    );
  }
  return {
    mode,
    simulatorUrl: simulator?.url,
    slack,
    shell,
    leadership,
    metrics,
    probePort: probeServer?.port,
    done,
    stop,
  };
}

/** Counts every question by what its reply was (answer, help, not-understood, error): never by its words. */
function withQuestionMetrics(answerer: Answerer, metrics: Pick<Metrics, 'question'>): Answerer {
  return {
    ...answerer,
    async ask(question, asker, options) {
      const reply = await answerer.ask(question, asker, options);
      metrics.question(reply.kind);
      return reply;
    },
  };
}
