/**
 * The process's Prometheus metrics (`GET /metrics`), like logger.ts: created once in the composition root and
 * passed to what records them; never prom-client's global registry, so a test can build several processes.
 *
 * Every label is low-cardinality by construction: a status code, an error code, a Slack method, an EM request
 * type. Never a VM, job, channel or user: those are in the logs and the store, not in time series.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What `replibot_outbox_*` reads on each scrape. */
export interface OutboxDepth {
  pending: number;
  oldestPendingAt: Date | null;
}

export interface EmRequestObservation {
  /** logon, logoff, probe, query:<EM type> or the resource (replicaSessions ...): see toEmRequestType */
  type: string;
  /** the HTTP status, or replibot's error code when no answer came (em_timeout, em_unreachable ...) */
  status: string;
  seconds: number;
  bytes: number;
}

export interface Metrics {
  readonly registry: Registry;
  /** the Prometheus text exposition format of every metric */
  render(): Promise<string>;
  readonly contentType: string;
  /** one alert poll ended; `reason` is the error code of a failed one */
  poll(outcome: { ok: boolean; reason?: string; seconds: number }): void;
  emRequest(observation: EmRequestObservation): void;
  alertsFound(count: number): void;
  /** the outbox delivered a notification: post, update or reply */
  alertDelivered(action: string): void;
  alertDeadLettered(): void;
  /** one Slack Web API HTTP call; `error` is Slack's error code, `http_<status>`, `network` or `none` */
  slackCall(method: string, error: string): void;
  /** Slack answered 429: the caller waits `seconds` (the WebClient, or the outbox pausing the channel) */
  slackRateLimited(method: string, seconds: number): void;
  /** acquired (or `takeover`, acquired after another holder), lost, released */
  leaseChange(change: 'acquired' | 'takeover' | 'lost' | 'released'): void;
  /** read on each scrape: 1 while this process holds the lease */
  watchLeadership(isLeader: () => boolean | Promise<boolean>): void;
  /** read on each scrape: the outbox depth and its oldest row (the alerts feature registers it) */
  watchOutbox(read: () => OutboxDepth | Promise<OutboxDepth>): void;
  /** a digest attempt ended: sent, skipped or failed */
  digestRun(status: string): void;
  /** a question was answered: answer, help, not-understood or error */
  question(kind: string): void;
}

export interface MetricsOptions {
  /** prom-client's process metrics (CPU, memory, event loop lag, GC); the composition root turns them on */
  processMetrics?: boolean;
  /** for the outbox age; default the system clock */
  now?: () => Date;
}

const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const POLL_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
/** a label value from outside (an error word) is cut to a safe shape, so it can never carry text */
const LABEL_VALUE = /^[A-Za-z0-9_.:-]{1,64}$/;

export function toLabelValue(value: string): string {
  return LABEL_VALUE.test(value) ? value : 'other';
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  const now = options.now ?? (() => new Date());
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'replibot_' });
  const registers = [registry];

  const polls = new Counter({
    name: 'replibot_polls_total',
    help: 'Alert polls of Enterprise Manager, by outcome (ok, failed).',
    labelNames: ['outcome'] as const,
    registers,
  });
  const pollFailures = new Counter({
    name: 'replibot_poll_failures_total',
    help: 'Failed alert polls, by reason (the error code: em_unreachable, em_timeout, em_auth_failed, store ...).',
    labelNames: ['reason'] as const,
    registers,
  });
  const pollSeconds = new Histogram({
    name: 'replibot_poll_duration_seconds',
    help: 'How long one alert poll took (EM reads and the store write).',
    buckets: POLL_BUCKETS,
    registers,
  });
  const emRequests = new Counter({
    name: 'replibot_em_requests_total',
    help: 'HTTP requests to Enterprise Manager, by type and status (HTTP status or error code).',
    labelNames: ['type', 'status'] as const,
    registers,
  });
  const emSeconds = new Histogram({
    name: 'replibot_em_request_duration_seconds',
    help: 'Enterprise Manager request duration, by type.',
    labelNames: ['type'] as const,
    buckets: SECONDS_BUCKETS,
    registers,
  });
  const emBytes = new Counter({
    name: 'replibot_em_response_bytes_total',
    help: 'Response body bytes received from Enterprise Manager, by type.',
    labelNames: ['type'] as const,
    registers,
  });
  const alertsFound = new Counter({
    name: 'replibot_alerts_found_total',
    help: 'Alerts planned by the poller (job runs, summaries, recoveries) and queued in the outbox.',
    registers,
  });
  const alertsPosted = new Counter({
    name: 'replibot_alerts_posted_total',
    help: 'Notifications the outbox delivered, by action (post, update, reply).',
    labelNames: ['action'] as const,
    registers,
  });
  const alertsDead = new Counter({
    name: 'replibot_alerts_dead_lettered_total',
    help: 'Notifications Slack refused for good (dead-lettered).',
    registers,
  });
  const slackCalls = new Counter({
    name: 'replibot_slack_calls_total',
    help: 'Slack Web API HTTP calls, by method and error (none when ok).',
    labelNames: ['method', 'error'] as const,
    registers,
  });
  const slackWaits = new Counter({
    name: 'replibot_slack_rate_limited_total',
    help: 'Slack 429 answers (each one a wait for Retry-After), by method.',
    labelNames: ['method'] as const,
    registers,
  });
  const slackWaitSeconds = new Counter({
    name: 'replibot_slack_rate_limit_wait_seconds_total',
    help: 'Seconds of Retry-After that Slack asked for.',
    registers,
  });
  const leaseChanges = new Counter({
    name: 'replibot_lease_changes_total',
    help: 'Lease changes of this process: acquired (first holder), takeover (after another holder: a failover or a handover), lost, released.',
    labelNames: ['change'] as const,
    registers,
  });
  let isLeader: () => boolean | Promise<boolean> = () => false;
  new Gauge({
    name: 'replibot_lease_holder',
    help: '1 while this process holds the lease (runs the poller, outbox and digests), else 0.',
    registers,
    async collect() {
      // a database that cannot answer: not the leader as far as this scrape can tell
      this.set((await Promise.resolve(isLeader()).catch(() => false)) ? 1 : 0);
    },
  });
  let readOutbox: (() => OutboxDepth | Promise<OutboxDepth>) | undefined;
  const readDepth = async (): Promise<OutboxDepth | null> => {
    try {
      return readOutbox ? await readOutbox() : null;
    } catch {
      // a damaged store: the scrape still answers (health names the store's problem)
      return null;
    }
  };
  // one read serves both gauges of a scrape (render() starts each scrape afresh)
  let depthRead: Promise<OutboxDepth | null> | null = null;
  const depthOnce = (): Promise<OutboxDepth | null> => {
    depthRead ??= readDepth();
    return depthRead;
  };
  new Gauge({
    name: 'replibot_outbox_depth',
    help: 'Notifications waiting in the outbox (pending or being sent).',
    registers,
    async collect() {
      this.set((await depthOnce())?.pending ?? 0);
    },
  });
  new Gauge({
    name: 'replibot_outbox_oldest_age_seconds',
    help: 'Age of the oldest notification waiting in the outbox; 0 when it is empty.',
    registers,
    async collect() {
      const oldest = (await depthOnce())?.oldestPendingAt ?? null;
      this.set(oldest === null ? 0 : Math.max(0, (now().getTime() - oldest.getTime()) / 1000));
    },
  });
  const digestRuns = new Counter({
    name: 'replibot_digest_runs_total',
    help: 'Digest attempts, by status (sent, skipped, failed).',
    labelNames: ['status'] as const,
    registers,
  });
  const questions = new Counter({
    name: 'replibot_questions_total',
    help: 'Questions asked (Slack and terminal), by outcome (answer, help, not-understood, error).',
    labelNames: ['outcome'] as const,
    registers,
  });

  return {
    registry,
    contentType: registry.contentType,
    render: () => {
      depthRead = null;
      return registry.metrics();
    },
    poll(outcome) {
      polls.inc({ outcome: outcome.ok ? 'ok' : 'failed' });
      if (!outcome.ok) pollFailures.inc({ reason: toLabelValue(outcome.reason ?? 'unknown') });
      pollSeconds.observe(outcome.seconds);
    },
    emRequest(o) {
      const type = toLabelValue(o.type);
      emRequests.inc({ type, status: toLabelValue(o.status) });
      emSeconds.observe({ type }, o.seconds);
      emBytes.inc({ type }, o.bytes);
    },
    alertsFound(count) {
      if (count > 0) alertsFound.inc(count);
    },
    alertDelivered(action) {
      alertsPosted.inc({ action: toLabelValue(action) });
    },
    alertDeadLettered() {
      alertsDead.inc();
    },
    slackCall(method, error) {
      slackCalls.inc({ method: toLabelValue(method), error: toLabelValue(error) });
    },
    slackRateLimited(method, seconds) {
      slackWaits.inc({ method: toLabelValue(method) });
      if (Number.isFinite(seconds) && seconds > 0) slackWaitSeconds.inc(seconds);
    },
    leaseChange(change) {
      leaseChanges.inc({ change });
    },
    watchLeadership(read) {
      isLeader = read;
    },
    watchOutbox(read) {
      readOutbox = read;
    },
    digestRun(status) {
      digestRuns.inc({ status: toLabelValue(status) });
    },
    question(kind) {
      questions.inc({ outcome: toLabelValue(kind) });
    },
  };
}
