/**
 * The composition root: the only place that reads the environment and wires the parts. `startReplibot` runs
 * the Slack app (SLACK_BOT_TOKEN set) or the terminal chat, against EM (VEEAM_URL set) or the built-in
 * simulator. `askReplibot` answers one question for `replibot ask`.
 *
 * Features (alerts, digests) plug in through FEATURES below: one line each.
 */
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { App } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { WebClient } from '@slack/web-api';
import { createDefaultAnswerer } from './answers/create-default-answerer.js';
import type { Answerer } from './answers/domain/create-answerer.js';
import { SLACK_PAGE_SIZE } from './answers/slack/render-answer.js';
import { renderReply } from './answers/slack/render-reply.js';
import { renderAskJson } from './answers/text/render-ask-json.js';
import { renderText } from './answers/text/render-text.js';
import { resolveTimeOptions } from './commands/time-options.js';
import { type Config, loadConfig } from './config.js';
import { type Clock, type EmApi, systemClock } from './core/ports.js';
import { createAlertsFeature } from './features/alerts/feature.js';
import { createDemoFeature } from './features/demo/feature.js';
import { createDigestFeature } from './features/digests/feature.js';
import { createLogger, type Logger } from './logger.js';
import { createShell, type Shell, type ShellCommand } from './shell/shell.js';
import { type RunningSimulator, startSimulator } from './simulator/index.js';
import { createSlackApp, type HealthReport, type SlackAppHandle } from './slack/app.js';
import type { SlashSubcommand } from './slack/subcommands.js';
import { createEmClient } from './veeam/em-client.js';

/** Something with a lifetime (a poller, a scheduler): started after the front door is up, stopped first. */
export interface Service {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface FeatureContext {
  config: Config;
  em: EmApi;
  logger: Logger;
  clock: Clock;
  answerer: Answerer;
  /** 'slack' when SLACK_BOT_TOKEN is set, else the terminal chat */
  mode: 'slack' | 'shell';
  /** a Web API client with the bot token (Slack mode only), for posting alerts and digests */
  slackClient: WebClient | undefined;
  /** prints into the running terminal chat (shell mode); logs at info in Slack mode */
  notify(text: string): void;
  /** the built-in EM simulator when VEEAM_URL is not set (the demo), else undefined */
  simulator: RunningSimulator | undefined;
}

/** What a feature adds to the front doors. Every part is optional. */
export interface Feature {
  name: string;
  subcommands?: SlashSubcommand[];
  shellCommands?: ShellCommand[];
  services?: Service[];
  homeExtras?: () => Promise<KnownBlock[]>;
  extend?: (app: App) => void;
  health?: () => HealthReport;
}

export type FeatureFactory = (context: FeatureContext) => Feature | Promise<Feature>;

/** Alerts (issue 5) and digests (issue 6) add their factory here. */
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
}

export interface RunningReplibot {
  mode: 'slack' | 'shell';
  /** set when the built-in simulator answers instead of a real EM */
  simulatorUrl: string | undefined;
  slack: SlackAppHandle | undefined;
  shell: Shell | undefined;
  /** resolves when the terminal chat ends (exit, Ctrl+D, end of piped input) or stop() is called */
  done: Promise<void>;
  stop(): Promise<void>;
}

export interface EmConnection {
  em: EmApi;
  simulator: RunningSimulator | undefined;
  close(): Promise<void>;
}

/** EM from VEEAM_URL, else the built-in simulator over HTTPS (`simulator` is then set). */
export async function connectEm(config: Config, logger: Logger): Promise<EmConnection> {
  if (config.veeam) {
    const em = createEmClient({
      ...config.veeam,
      logger,
      ...(config.veeam.caFile ? { caPem: readFileSync(config.veeam.caFile, 'utf8') } : {}),
    });
    return { em, simulator: undefined, close: () => em.close() };
  }
  // TLS with the simulator's own certificate: the demo runs the same HTTPS path as a real EM.
  const simulator = await startSimulator({ tls: true });
  const em = createEmClient({
    url: simulator.url,
    username: 'replibot',
    password: 'replibot',
    caFile: undefined,
    insecureTls: false,
    format: 'xml',
    timeoutMs: 30_000,
    pageSize: 500,
    logger,
    ...(simulator.caPem ? { caPem: simulator.caPem } : {}),
  });
  return {
    em,
    simulator,
    close: async () => {
      await em.close();
      await simulator.close();
    },
  };
}

/** The zone the terminal, `ask` and `digest` read "today" in: DEFAULT_TIMEZONE (UTC when unset), like `parse`. */
export function localTimeZone(config: Config): string {
  // one rule for the terminal, ask, parse and digest, so the same question is the same query everywhere
  return config.defaultTimeZone;
}

/**
 * The logger of the terminal chat and the one-shot commands, whose screen belongs to the person reading it:
 * JSON log lines only when LOG_LEVEL is set explicitly (send them to a file with `2>replibot.log`); otherwise only
 * fatal ones. What a person must know (insecure transport, errors) is said in words instead (`transportNotes`).
 */
export function createInteractiveLogger(
  env: NodeJS.ProcessEnv,
  config: Config,
  errorOutput: Writable,
): Logger {
  return createLogger(env.LOG_LEVEL?.trim() ? config.logLevel : 'fatal', errorOutput);
}

/** Plain-words warnings about how replibot talks to EM, for the terminal banner and the one-shot commands. */
export function transportNotes(config: Config): string[] {
  if (!config.veeam) return [];
  const notes: string[] = [];
  if (config.veeam.insecureTls)
    notes.push(
      'WARNING: VEEAM_INSECURE_TLS=true: the EM certificate is not verified, so anyone in the path could read the EM password. Set VEEAM_CA_FILE instead.',
    );
  if (config.veeam.url.startsWith('http:'))
    notes.push(
      'WARNING: VEEAM_URL is plain http://: the EM password and data cross the network unencrypted. Use https://host:9398.',
    );
  return notes;
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
  const connection = await connectEm(config, logger);
  const { em, simulator } = connection;
  const answerer = createDefaultAnswerer(em);
  if (simulator && mode === 'slack') {
    logger.warn(
      { url: simulator.url },
      'VEEAM_URL is not set: answering from the built-in EM simulator (demo data)',
    );
  }

  let shell: Shell | undefined;
  const slackClient =
    config.slack &&
    new WebClient(config.slack.botToken, {
      ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
      ...options.slack?.clientOptions,
    });
  const context: FeatureContext = {
    config,
    em,
    logger,
    clock,
    answerer,
    mode,
    slackClient,
    notify: (text) => (shell ? shell.notify(text) : logger.info({ notice: text }, 'notice')),
    simulator,
  };
  const features: Feature[] = [];
  for (const factory of options.features ?? FEATURES) features.push(await factory(context));
  const services = features.flatMap((f) => f.services ?? []);
  const started: Service[] = [];

  let resolveDone: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  let slack: SlackAppHandle | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
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
        health: () => {
          const reports = features.flatMap((f) => (f.health ? [{ name: f.name, ...f.health() }] : []));
          return {
            ok: reports.every((r) => r.ok),
            checks: Object.fromEntries(reports.map((r) => [r.name, r.checks ?? r.ok])),
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
          )}replibot: ${where}. Times are in ${timeZone}. Ask about replicas, type help for examples${isTTY ? ', exit to leave' : ''}.${simulator && isTTY ? '\nTry: replicas failed today for apache02 — or fail apache02 to watch a failure alert arrive.' : ''}`,
      });
    }
    for (const service of services) {
      await service.start();
      started.push(service);
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
        logger.error({ err: (error as Error).message }, 'the terminal chat failed');
        return stop();
      },
    );
  }
  return { mode, simulatorUrl: simulator?.url, slack, shell, done, stop };
}

export type AskFormat = 'text' | 'blocks' | 'json';

/** What `ask` and `digest` share: where to write, the configuration, the moment and zone, a quiet logger. */
export interface OneShotOptions {
  env?: NodeJS.ProcessEnv;
  /** ISO instant; default now */
  now?: string;
  /** IANA zone; default DEFAULT_TIMEZONE (UTC when unset) */
  timeZone?: string;
  output?: Writable;
  errorOutput?: Writable;
}

export function prepareOneShot(options: OneShotOptions) {
  const env = options.env ?? process.env;
  const output = options.output ?? process.stdout;
  const errorOutput = options.errorOutput ?? process.stderr;
  const config = loadConfig(env);
  const { now, timeZone } = resolveTimeOptions(options, localTimeZone(config));
  const logger = createInteractiveLogger(env, config, errorOutput);
  for (const note of transportNotes(config)) errorOutput.write(`replibot: ${note}\n`);
  return { env, output, errorOutput, config, now, timeZone, logger };
}

export interface AskOptions {
  env?: NodeJS.ProcessEnv;
  question: string;
  /** ISO instant "today" is read against; default now */
  now?: string;
  /** IANA zone; default DEFAULT_TIMEZONE (UTC when unset) */
  timeZone?: string;
  format?: AskFormat;
  output?: Writable;
  errorOutput?: Writable;
  /** colours in text format; default: output is a TTY */
  color?: boolean;
}

/** `replibot ask`: one answer on stdout. Resolves with the exit code (0 answered, 2 not understood, 1 failed). */
export async function askReplibot(options: AskOptions): Promise<number> {
  const { output, errorOutput, config, now, timeZone, logger } = prepareOneShot(options);
  const format = options.format ?? 'text';
  const connection = await connectEm(config, logger);
  if (connection.simulator) {
    errorOutput.write(
      'replibot: VEEAM_URL is not set; answering from the built-in EM simulator (demo data).\n',
    );
  }
  try {
    const answerer = createDefaultAnswerer(connection.em);
    const pageSize = format === 'blocks' ? SLACK_PAGE_SIZE : Number.POSITIVE_INFINITY;
    const reply = await answerer.ask(options.question, { userId: null, timeZone }, { now, pageSize });
    if (reply.kind === 'error')
      logger.error({ ref: reply.referenceId, code: reply.error.code }, reply.error.message);
    if (format === 'blocks') output.write(`${JSON.stringify(renderReply(reply, { timeZone }), null, 2)}\n`);
    else if (format === 'json') output.write(`${JSON.stringify(renderAskJson(reply), null, 2)}\n`);
    else {
      const color = options.color ?? Boolean((output as { isTTY?: boolean }).isTTY);
      output.write(`${renderText(reply, { color, timeZone })}\n`);
    }
    return reply.kind === 'error' ? 1 : reply.kind === 'not-understood' ? 2 : 0;
  } finally {
    await connection.close().catch(() => {});
  }
}

/** The `--format json` document: the query sent, every matching session, and names EM does not know. */
export { renderAskJson as toAskJson } from './answers/text/render-ask-json.js';
