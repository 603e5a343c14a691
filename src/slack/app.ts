import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient, WebClientOptions } from '@slack/web-api';
import { createDefaultAnswerer } from '../answers/create-default-answerer.js';
import type { Answerer } from '../answers/domain/create-answerer.js';
import { registerAnswerActions } from '../answers/slack/answer-actions.js';
import { registerConversationEvents } from '../answers/slack/conversation-events.js';
import type { JobButtons } from '../app/job-buttons.js';
import { type HealthReport, type ProbeRoute, toHealthRoute } from '../app/probes.js';
import { createWorkQueue, type WorkQueueOptions } from '../app/work-queue.js';
import type { Config } from '../config.js';
import { type Clock, systemClock } from '../core/clock.js';
import { errorMessage } from '../core/error-message.js';
import { ReplibotError } from '../core/errors.js';
import { listeningPort } from '../core/listening-port.js';
import type { EmApi } from '../core/ports.js';
import type { Logger } from '../logger.js';
import { toAccessPolicy } from './access.js';
import { registerAppHome } from './app-home.js';
import { toBoltLogger } from './bolt-logger.js';
import { createRecentIds, type RecentIds } from './recent-ids.js';
import { refuseUnknownButtons } from './register-button.js';
import { registerReplicasCommand, SLASH_COMMANDS } from './replicas-command.js';
import { type EarlyAcks, guardSocketMessages, SLACK_BODY_LIMIT, withRequestGuard } from './request-guard.js';
import type { SlackRuntime } from './runtime.js';
import { toSlackFailure } from './slack-errors.js';
import type { SlashSubcommand } from './subcommands.js';
import { createTimeZoneLookup } from './user-time-zones.js';
import { type SlackClientSettings, toSlackClientOptions } from './web-client.js';

export type { HealthReport };

export interface SlackAppDeps {
  config: Config;
  em: EmApi;
  logger: Logger;
  clock?: Clock;
  /**
   * what Slack request timestamps (5 minutes either way) and the event-retry window are measured on: the
   * system clock unless a test drives it; kept apart from `clock`, which fixes "now" for answers
   */
  requestClock?: Clock;
  /** the memory of handled events; default one in this process (main.ts gives the store's, shared by instances) */
  recentEvents?: RecentIds;
  /** the question router; built from `em` and the question parser when absent */
  answerer?: Answerer;
  /** `/replicas <word> ...` commands from other features */
  subcommands?: SlashSubcommand[];
  /** extra action/view/event handlers, called once on the Bolt app before it starts */
  extend?: (app: App) => void;
  /** shown by `GET /healthz` (liveness: `degraded` when this says not ok; see src/app/probes.ts) */
  health?: () => HealthReport | Promise<HealthReport>;
  /** more routes on the same listener: `/readyz` and `/metrics` (src/app/probes.ts) */
  routes?: ProbeRoute[];
  /** counts the app's Slack calls (src/metrics.ts) */
  metrics?: SlackClientSettings['metrics'];
  /** blocks shown at the bottom of the App Home tab (poller status, digest schedule) */
  homeExtras?: () => Promise<KnownBlock[]>;
  /** job action buttons under answers that show one job (the job actions feature provides them) */
  jobButtons?: JobButtons;
  /** for tests and proxies: merged into the WebClient options (e.g. `retryConfig`) */
  clientOptions?: WebClientOptions;
  /** interface to listen on (HTTP mode and /healthz); all interfaces when absent */
  host?: string;
  /** HTTP mode: how long Bolt waits for an ack before it answers 404 itself (Slack gives up at 3 s) */
  unhandledRequestTimeoutMillis?: number;
  /**
   * true (the default) lets the request guard ack slash commands and events itself (HTTP and Socket Mode),
   * before Bolt's work (src/slack/request-guard.ts); false leaves every ack to Bolt's receiver, as before
   * (bench/slack.bench.ts measures both)
   */
  guardAcks?: boolean;
  /** answers at once and answers waiting (src/app/work-queue.ts); beyond them a request is answered "busy" */
  work?: Pick<WorkQueueOptions, 'concurrency' | 'backlog'>;
}

export interface SlackAppHandle {
  app: App;
  client: WebClient;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** the HTTP port actually listened on (HTTP mode), known after start() */
  readonly port: number | undefined;
  /** true between a finished start() and stop(): the front door answers Slack */
  readonly started: boolean;
}

const SLACK_EVENTS_PATH = '/slack/events';
/** Slack retries an unacked event within minutes; an hour of event ids, at most this many, covers it. */
const RECENT_EVENTS_MAX = 10_000;
const RECENT_EVENTS_TTL_MS = 60 * 60_000;
/** "busy" notes sent at once, and waiting to be sent */
const BUSY_NOTES_AT_ONCE = 2;
const BUSY_NOTES_WAITING = 2_000;

export function createSlackApp(deps: SlackAppDeps): SlackAppHandle {
  const slack = deps.config.slack;
  if (!slack) {
    throw new ReplibotError('config_invalid', 'SLACK_BOT_TOKEN is not set, so the Slack app cannot start.', {
      hint: 'Set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode).',
    });
  }
  const logger = deps.logger.child({ component: 'slack' });
  const boltLogger = toBoltLogger(deps.logger);
  const clock = deps.clock ?? systemClock;
  let started = false;

  let stopping = false;
  const healthRoute = toHealthRoute(
    () => (stopping ? 'stopping' : started ? 'started' : 'starting'),
    deps.health,
  );
  const customRoutes = [healthRoute, ...(deps.routes ?? [])];
  // interactive: a person is waiting, so a small bounded retry (src/slack/web-client.ts)
  const clientOptions = toSlackClientOptions({
    ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
    purpose: 'interactive',
    ...(deps.clientOptions ? { overrides: deps.clientOptions } : {}),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });

  const recentEvents =
    deps.recentEvents ??
    createRecentIds({
      max: RECENT_EVENTS_MAX,
      ttlMs: RECENT_EVENTS_TTL_MS,
      clock: deps.requestClock ?? systemClock,
    });
  let receiver: HTTPReceiver | undefined;
  let app: App;
  // acks first: the guard acks /replicas, /veeam and events itself and hands them to Bolt a turn later
  // (src/slack/request-guard.ts step 4, docs/slack.md "Acks first")
  const early: EarlyAcks | undefined =
    deps.guardAcks === false
      ? undefined
      : {
          commands: new Set(SLASH_COMMANDS),
          dispatch: (request) =>
            app.processEvent({
              body: request.body,
              retryNum: request.retryNum,
              retryReason: request.retryReason,
              // acked by the guard already: the listener's ack() has nothing left to send
              ack: async () => {},
            }),
        };
  if (slack.appToken !== undefined) {
    const socketReceiver = new SocketModeReceiver({
      appToken: slack.appToken,
      logger: boltLogger,
      customRoutes,
      installerOptions: { port: deps.config.port, clientOptions },
    });
    guardSocketMessages(socketReceiver.client, { recentEvents, logger, ...(early ? { early } : {}) });
    app = new App({
      token: slack.botToken,
      receiver: socketReceiver,
      socketMode: true,
      convoStore: false,
      clientOptions,
      logger: boltLogger,
      deferInitialization: true,
    });
  } else {
    const signingSecret = slack.signingSecret ?? '';
    receiver = new HTTPReceiver({
      signingSecret,
      // withRequestGuard below checks the signature of every request to this endpoint before Bolt sees it, so
      // Bolt's second check of the same HMAC is skipped; without a secret Bolt's check stays on (and refuses)
      signatureVerification: signingSecret === '',
      endpoints: SLACK_EVENTS_PATH,
      customRoutes,
      logger: boltLogger,
      bodyLimit: SLACK_BODY_LIMIT,
      ...(deps.unhandledRequestTimeoutMillis
        ? { unhandledRequestTimeoutMillis: deps.unhandledRequestTimeoutMillis }
        : {}),
    });
    receiver.requestListener = withRequestGuard(receiver.requestListener, {
      path: SLACK_EVENTS_PATH,
      signingSecret,
      clock: deps.requestClock ?? systemClock,
      recentEvents,
      logger,
      bodyLimit: SLACK_BODY_LIMIT,
      ...(early ? { early } : {}),
    });
    app = new App({
      token: slack.botToken,
      receiver,
      // no listener reads context.conversation; Bolt's memory store builds an Error per request without one
      convoStore: false,
      clientOptions,
      logger: boltLogger,
      deferInitialization: true,
    });
  }
  // Listeners catch their own failures; this is the last net, and it never rethrows into the receiver.
  app.error(async (error) => {
    logger.error({ err: error.message, code: error.code }, 'unhandled error in a Slack listener');
  });

  // every answer runs here, after its ack; the listeners only check access and queue (src/app/work-queue.ts)
  const work = createWorkQueue({ ...deps.work, logger });
  // a "busy" note is a Slack call too: a few at a time, after the acks of the same burst; beyond this backlog
  // the note is dropped (logged), the request was acked all the same
  const notices = createWorkQueue({ concurrency: BUSY_NOTES_AT_ONCE, backlog: BUSY_NOTES_WAITING, logger });
  const runtime: SlackRuntime = {
    answerer: deps.answerer ?? createDefaultAnswerer(deps.em),
    logger,
    clock,
    timeZones: createTimeZoneLookup({ defaultTimeZone: deps.config.defaultTimeZone, logger }),
    access: toAccessPolicy(deps.config),
    subcommands: deps.subcommands ?? [],
    homeExtras: deps.homeExtras,
    jobButtons: deps.jobButtons,
    work,
    notices,
  };
  registerReplicasCommand(app, runtime);
  registerConversationEvents(app, runtime);
  registerAppHome(app, runtime);
  registerAnswerActions(app, runtime);
  deps.extend?.(app);
  refuseUnknownButtons(app, logger);

  let port: number | undefined;
  return {
    app,
    client: app.client,
    get port() {
      return port;
    },
    get started() {
      return started;
    },
    async start() {
      try {
        await app.init();
      } catch (error) {
        const failure = toSlackFailure(error);
        throw new ReplibotError('slack_error', `Slack did not accept the bot token (${failure.code}).`, {
          hint:
            failure.kind === 'transient' || failure.kind === 'rate_limited'
              ? 'Slack could not be reached; check the network (and SLACK_API_URL), then start again.'
              : 'Check SLACK_BOT_TOKEN (OAuth & Permissions > Bot User OAuth Token) and that the app is installed.',
          cause: error,
        });
      }
      if (receiver) {
        port = listeningPort(await receiver.start({ port: deps.config.port, host: deps.host }));
        logger.info({ port, path: SLACK_EVENTS_PATH }, 'Slack app listening (HTTP mode)');
      } else {
        try {
          await app.start();
        } catch (error) {
          throw new ReplibotError('slack_error', `Socket Mode could not connect (${errorMessage(error)}).`, {
            hint: 'Check SLACK_APP_TOKEN (an xapp- token with connections:write) and that Socket Mode is on.',
            cause: error,
          });
        }
        logger.info('Slack app connected (Socket Mode)');
      }
      started = true;
    },
    async stop() {
      if (!started) return;
      started = false;
      stopping = true;
      await app.stop();
      // answers already running finish (each bounded in time by the EM client); those waiting are dropped
      await work.close();
      await notices.close();
    },
  };
}
