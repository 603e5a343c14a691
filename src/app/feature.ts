/**
 * The feature contract: what a feature (alerts, digests, the demo) is given by the composition root and what it
 * adds to the front doors. Features import this file; src/main.ts imports the features.
 */
import type { App } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { Answerer } from '../answers/domain/create-answerer.js';
import type { Reply } from '../answers/domain/reply.js';
import type { Config } from '../config.js';
import type { Clock } from '../core/clock.js';
import type { EmApi } from '../core/ports.js';
import type { AlertDecorations } from '../features/alerts/slack/alert-decorations.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ShellCommand } from '../shell/shell.js';
import type { RunningSimulator } from '../simulator/index.js';
import type { HealthReport } from '../slack/app.js';
import type { SlashSubcommand } from '../slack/subcommands.js';
import type { Fence } from '../store/lease.js';
import type { StoreDb } from '../store/open-database.js';
import type { JobButtons } from './job-buttons.js';

/** Something with a lifetime (a poller, a scheduler): started after the front door is up, stopped first. */
export interface Service {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Lines other features add to every digest (the RPO watch's section); mrkdwn, one string per section. */
/** What a digest is about (its `job`, `server` and `backups` options): a section shows only that. */
export interface DigestSectionFilters {
  jobName: string | null;
  serverName: string | null;
  /** replication when absent */
  kind?: 'replication' | 'backup';
}

export interface DigestSections {
  add(
    source: (period: { start: Date; end: Date }, filters?: DigestSectionFilters) => Promise<string | null>,
  ): void;
  /** every source's section for this digest; a source that fails is left out (logged by the caller) */
  collect(period: { start: Date; end: Date }, filters?: DigestSectionFilters): Promise<string[]>;
}

export interface FeatureContext {
  config: Config;
  em: EmApi;
  logger: Logger;
  clock: Clock;
  answerer: Answerer;
  /**
   * the process's one database (SQLite or PostgreSQL), every feature's migrations applied; a repository types it
   * with its own tables (see docs/architecture.md, "How to write a repository")
   */
  db: StoreDb;
  /** 'slack' when SLACK_BOT_TOKEN is set, else the terminal chat */
  mode: 'slack' | 'shell';
  /** a Web API client with the bot token (Slack mode only), for posting alerts and digests */
  slackClient: WebClient | undefined;
  /** prints into the running terminal chat (shell mode); logs at info in Slack mode */
  notify(text: string): void;
  /** the built-in EM simulator when VEEAM_URL is not set (the demo), else undefined */
  simulator: RunningSimulator | undefined;
  /**
   * Leader-only services ask this before each send (and the poller before it writes): true only while this
   * process holds the one-writer lease it started them with (src/app/leadership.ts).
   */
  fence: Fence;
  /** what features add to alert messages (job action buttons); one per process, made by the composition root */
  alertDecorations?: AlertDecorations;
  /** job action buttons for RPO alerts and answers that show one job (src/app/job-buttons.ts) */
  jobButtons?: JobButtons;
  /** the process's Prometheus metrics (src/metrics.ts), served on GET /metrics */
  metrics: Metrics;
  /** the fencing token this process holds the lease with (null while standby): the outbox's claims carry it */
  fencingToken: () => number | null;
  /** sections other features add to digests (optional: tests may build a context without it) */
  digestSections?: DigestSections;
}

/** What a feature adds to the front doors. Every part is optional. */
export interface Feature {
  name: string;
  subcommands?: SlashSubcommand[];
  shellCommands?: ShellCommand[];
  services?: Service[];
  /** run only by the process holding the database's lease (the poller, the outbox, the digest scheduler) */
  leaderServices?: Service[];
  homeExtras?: () => Promise<KnownBlock[]>;
  extend?: (app: App) => void;
  health?: () => HealthReport | Promise<HealthReport>;
  /** questions this feature answers itself, asked before the session router; null when not one of them */
  answer?: (question: string, asker: { timeZone: string }, now: Date) => Promise<Reply | null>;
}

export type FeatureFactory = (context: FeatureContext) => Feature | Promise<Feature>;
