/**
 * All configuration, from the environment, through one zod schema. A wrong value gets one message that names
 * each variable and says how to fix it. Secrets are kept out of that message.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ReplibotError } from './core/errors.js';

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const bool = (name: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    // only the two words the warnings and docs use, so what is set is what is said (`=true`, never `=yes`)
    .superRefine((v, ctx) => {
      if (!['true', 'false', ''].includes(v))
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be true or false, not "${v.slice(0, 40)}"`,
        });
    })
    .transform((v) => v === 'true');

const int = (name: string, min: number, max: number) =>
  z
    .string()
    .trim()
    .refine((v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max, {
      message: `${name} must be a whole number from ${min} to ${max}`,
    })
    .transform(Number);

const DURATION_UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `24h`, `90m`, `3d`, `1d 12h` to milliseconds. */
const duration = (name: string, example: string) =>
  z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => /^(\s*\d+\s*[mhdw])+\s*$/.test(v), {
      message: `${name} must be a duration such as ${example} (m, h, d or w)`,
    })
    .transform((v) => {
      let total = 0;
      for (const m of v.matchAll(/(\d+)\s*([mhdw])/g))
        total += Number(m[1]) * (DURATION_UNIT_MS[m[2] ?? ''] ?? 0);
      return total;
    })
    .refine((ms) => ms > 0, { message: `${name} must be longer than 0` });

const idList = (name: string) =>
  z
    .string()
    .transform((v) =>
      v
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .refine((ids) => ids.every((id) => /^[A-Z0-9]+$/.test(id)), {
      message: `${name} must be a comma-separated list of Slack ids such as C0123ABCD,U0456EFGH`,
    });

const optionalText = z
  .string()
  .transform((v) => v.trim())
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const envSchema = z.object({
  VEEAM_URL: z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine(
      (v) => {
        if (v === undefined) return true;
        try {
          const url = new URL(v);
          return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname !== '';
        } catch {
          return false;
        }
      },
      {
        message: 'VEEAM_URL must be an https URL such as https://em.example.local:9398 (or http://host:9399)',
      },
    ),
  VEEAM_USERNAME: optionalText,
  VEEAM_PASSWORD: optionalText,
  VEEAM_PASSWORD_FILE: optionalText,
  VEEAM_CA_FILE: optionalText,
  VEEAM_INSECURE_TLS: bool('VEEAM_INSECURE_TLS').default(false),
  VEEAM_FORMAT: z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => v === 'xml' || v === 'json', { message: 'VEEAM_FORMAT must be xml or json' })
    // cast: the refine just above lets only these two through
    .transform((v) => v as 'xml' | 'json')
    .default('xml'),
  VEEAM_TIMEOUT_MS: int('VEEAM_TIMEOUT_MS', 100, 600_000).default(30_000),
  VEEAM_PAGE_SIZE: int('VEEAM_PAGE_SIZE', 1, 10_000).default(500),
  // a 1,000-row page is about 1 MB and a full 10,000-row page about 10; 64 MB leaves room and caps memory
  VEEAM_MAX_RESPONSE_MB: int('VEEAM_MAX_RESPONSE_MB', 1, 1024).default(64),
  // 2,000 pages of 500 rows are a million sessions, more than 30 days of EM history of a large estate
  VEEAM_MAX_PAGES: int('VEEAM_MAX_PAGES', 1, 1_000_000).default(2000),
  // pages 2..N of a query are fetched this many at a time once page 1 gives PagesCount; 1 turns it off
  VEEAM_CONCURRENCY: int('VEEAM_CONCURRENCY', 1, 16).default(4),

  SLACK_BOT_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xoxb-'), {
    message:
      'SLACK_BOT_TOKEN must be a bot token starting with xoxb- (Slack app settings > OAuth & Permissions)',
  }),
  SLACK_APP_TOKEN: optionalText.refine((v) => v === undefined || v.startsWith('xapp-'), {
    message:
      'SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information > App-Level Tokens, scope connections:write)',
  }),
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_API_URL: optionalText.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return ['http:', 'https:'].includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: 'SLACK_API_URL must be a URL such as https://slack.com/api/' },
  ),
  PORT: int('PORT', 0, 65_535).default(3000),
  DEFAULT_TIMEZONE: z
    .string()
    .trim()
    .refine(isTimeZone, {
      message: 'DEFAULT_TIMEZONE must be an IANA time zone such as Europe/Berlin or UTC',
    })
    .default('UTC'),
  ALLOWED_CHANNEL_IDS: idList('ALLOWED_CHANNEL_IDS').default([]),
  ALLOWED_USER_IDS: idList('ALLOWED_USER_IDS').default([]),
  ADMIN_USER_IDS: idList('ADMIN_USER_IDS').default([]),
  ALERT_CHANNEL: optionalText.refine((v) => v === undefined || /^[CGD][A-Z0-9]+$/.test(v), {
    message: 'ALERT_CHANNEL must be a channel id such as C0123ABCD (channel details > About), not a #name',
  }),
  POLL_INTERVAL_SECONDS: int('POLL_INTERVAL_SECONDS', 1, 86_400).default(60),
  POLL_OVERLAP_MINUTES: int('POLL_OVERLAP_MINUTES', 0, 1440).default(30),
  RECONCILE_LOOKBACK_HOURS: int('RECONCILE_LOOKBACK_HOURS', 1, 720).default(24),
  RECONCILE_INTERVAL_SECONDS: int('RECONCILE_INTERVAL_SECONDS', 60, 86_400).default(3600),
  DATABASE_PATH: z
    .string()
    .trim()
    .min(1, {
      message: 'DATABASE_PATH is empty: give the path of a SQLite file, or unset it for ./data/replibot.db',
    })
    .default('./data/replibot.db'),
  DATABASE_URL: optionalText,
  DATABASE_URL_FILE: optionalText,
  DIGEST_GRACE_MINUTES: int('DIGEST_GRACE_MINUTES', 0, 10_080).default(120),
  RPO_DEFAULT: duration('RPO_DEFAULT', '24h').default(86_400_000),
  RPO_GONE_GRACE: duration('RPO_GONE_GRACE', '3d').default(3 * 86_400_000),
  RPO_EVALUATE_MINUTES: int('RPO_EVALUATE_MINUTES', 1, 1440).default(15),
  RPO_LOOKBACK_DAYS: int('RPO_LOOKBACK_DAYS', 1, 30).default(7),
  LEASE_SECONDS: int('LEASE_SECONDS', 1, 3600).default(15),
  LOG_LEVEL: z
    .string()
    .trim()
    .toLowerCase()
    .refine((v) => ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(v), {
      message: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
});

/** Every environment variable the schema reads (the deploy examples are checked against it). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(envSchema.shape);

export interface VeeamConfig {
  url: string;
  username: string;
  password: string;
  /** the path named by VEEAM_CA_FILE, for messages */
  caFile: string | undefined;
  /** its PEM text, read once here (the EM client never reads files) */
  caPem?: string;
  insecureTls: boolean;
  format: 'xml' | 'json';
  timeoutMs: number;
  pageSize: number;
  /** VEEAM_MAX_RESPONSE_MB: the largest EM answer read; default 64 */
  maxResponseMb?: number;
  /** VEEAM_MAX_PAGES: the most pages one query follows; default 2000 */
  maxPages?: number;
  /** VEEAM_CONCURRENCY: pages of one query requested side by side; default 4, 1 for one at a time */
  concurrency?: number;
}

export interface SlackConfig {
  botToken: string;
  appToken: string | undefined;
  signingSecret: string | undefined;
  apiUrl: string | undefined;
}

export interface Config {
  /** undefined when VEEAM_URL is not set: the terminal mode then runs the built-in simulator */
  veeam: VeeamConfig | undefined;
  /** undefined when SLACK_BOT_TOKEN is not set: `start` then opens the terminal chat */
  slack: SlackConfig | undefined;
  port: number;
  /** PORT was set: the terminal chat then serves /healthz, /readyz and /metrics on it too (Slack mode always does) */
  portGiven: boolean;
  defaultTimeZone: string;
  allowedChannelIds: string[];
  allowedUserIds: string[];
  adminUserIds: string[];
  alertChannel: string | undefined;
  pollIntervalSeconds: number;
  pollOverlapMinutes: number;
  /** the reconciling sweep: how far back it reads failures, and how often */
  reconcileLookbackHours: number;
  reconcileIntervalSeconds: number;
  databasePath: string;
  /**
   * DATABASE_URL (or the content of DATABASE_URL_FILE): PostgreSQL, the shared store of several instances; when
   * set it replaces DATABASE_PATH. Holds a password: never log it (src/store/open-postgres.ts `toSafeUrl`).
   */
  databaseUrl: string | undefined;
  /** DATABASE_PATH was set: the file is used even with the built-in simulator (else the demo keeps it in memory) */
  databasePathGiven: boolean;
  digestGraceMinutes: number;
  /** the RPO watch (docs/rpo.md): default policy, grace for VMs gone from EM, how often, how far back */
  rpo: { defaultMs: number; goneGraceMs: number; evaluateMinutes: number; lookbackDays: number };
  /** the one-writer lease: heartbeat every third of it; a standby takes over within about two */
  leaseSeconds: number;
  logLevel: string;
}

type Env = Record<string, string | undefined>;

/** Reads and checks the whole configuration. Throws one ReplibotError('config_invalid') listing every problem. */
export function loadConfig(env: Env = process.env, readFile: (path: string) => string = readUtf8): Config {
  const known = Object.fromEntries(Object.keys(envSchema.shape).map((key) => [key, env[key]]));
  const parsed = envSchema.safeParse(known);
  const problems: string[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? 'configuration');
      problems.push(issue.message.includes(name) ? issue.message : `${name}: ${issue.message}`);
    }
    throw configError(problems);
  }
  const e = parsed.data;

  let veeam: VeeamConfig | undefined;
  if (e.VEEAM_URL !== undefined) {
    let password = e.VEEAM_PASSWORD;
    if (e.VEEAM_PASSWORD_FILE !== undefined) {
      if (password !== undefined) problems.push('Set VEEAM_PASSWORD or VEEAM_PASSWORD_FILE, not both');
      try {
        password = readFile(e.VEEAM_PASSWORD_FILE).replace(/\r?\n$/, '');
      } catch {
        problems.push(
          `VEEAM_PASSWORD_FILE: cannot read ${e.VEEAM_PASSWORD_FILE}; check the path and its permissions`,
        );
      }
    }
    if (e.VEEAM_USERNAME === undefined)
      problems.push('VEEAM_USERNAME must be set with VEEAM_URL (an EM account such as DOMAIN\\svc-replibot)');
    if (password === undefined && e.VEEAM_PASSWORD_FILE === undefined)
      problems.push('VEEAM_PASSWORD (or VEEAM_PASSWORD_FILE) must be set with VEEAM_URL');
    let caPem: string | undefined;
    if (e.VEEAM_CA_FILE !== undefined) {
      try {
        caPem = readFile(e.VEEAM_CA_FILE);
        if (!/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(caPem)) {
          problems.push(
            `VEEAM_CA_FILE: ${e.VEEAM_CA_FILE} holds no PEM certificate (no -----BEGIN CERTIFICATE----- block); export the EM certificate or its CA as Base-64 (PEM)`,
          );
        }
      } catch {
        problems.push(
          `VEEAM_CA_FILE: cannot read ${e.VEEAM_CA_FILE}; give the path of a PEM file with the EM CA`,
        );
      }
    }
    if (e.VEEAM_CA_FILE !== undefined && e.VEEAM_INSECURE_TLS)
      problems.push('Set VEEAM_CA_FILE or VEEAM_INSECURE_TLS=true, not both (prefer VEEAM_CA_FILE)');
    veeam = {
      url: e.VEEAM_URL.replace(/\/+$/, '').replace(/\/api$/, ''),
      username: e.VEEAM_USERNAME ?? '',
      password: password ?? '',
      caFile: e.VEEAM_CA_FILE,
      ...(caPem === undefined ? {} : { caPem }),
      insecureTls: e.VEEAM_INSECURE_TLS,
      format: e.VEEAM_FORMAT,
      timeoutMs: e.VEEAM_TIMEOUT_MS,
      pageSize: e.VEEAM_PAGE_SIZE,
      maxResponseMb: e.VEEAM_MAX_RESPONSE_MB,
      maxPages: e.VEEAM_MAX_PAGES,
      concurrency: e.VEEAM_CONCURRENCY,
    };
  }

  let slack: SlackConfig | undefined;
  if (e.SLACK_BOT_TOKEN !== undefined) {
    if (e.SLACK_APP_TOKEN === undefined && e.SLACK_SIGNING_SECRET === undefined)
      problems.push(
        'Set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode) with SLACK_BOT_TOKEN; see README "Slack setup"',
      );
    slack = {
      botToken: e.SLACK_BOT_TOKEN,
      appToken: e.SLACK_APP_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      apiUrl: e.SLACK_API_URL,
    };
  } else if (e.SLACK_APP_TOKEN !== undefined || e.SLACK_SIGNING_SECRET !== undefined) {
    problems.push('SLACK_BOT_TOKEN must be set too (xoxb-..., Slack app settings > OAuth & Permissions)');
  }

  let databaseUrl = e.DATABASE_URL;
  if (e.DATABASE_URL_FILE !== undefined) {
    if (databaseUrl !== undefined) problems.push('Set DATABASE_URL or DATABASE_URL_FILE, not both');
    try {
      databaseUrl = readFile(e.DATABASE_URL_FILE).trim();
    } catch {
      problems.push(
        `DATABASE_URL_FILE: cannot read ${e.DATABASE_URL_FILE}; check the path and its permissions`,
      );
    }
  }
  if (databaseUrl !== undefined) {
    // the shape only; reaching the server, the login and the permissions are checked when the store opens
    let parsed: URL | undefined;
    try {
      parsed = new URL(databaseUrl);
    } catch {
      problems.push(
        `${e.DATABASE_URL_FILE ? 'DATABASE_URL_FILE' : 'DATABASE_URL'} is not a URL: give postgres://user:password@host:5432/database (percent-encode special characters in the password)`,
      );
    }
    if (parsed !== undefined && parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
      problems.push(
        `DATABASE_URL must start with postgres:// (it starts with ${parsed.protocol}//); for SQLite unset it and use DATABASE_PATH`,
      );
  }

  if (problems.length > 0) throw configError(problems);
  return {
    veeam,
    slack,
    port: e.PORT,
    portGiven: env.PORT !== undefined && env.PORT.trim() !== '',
    defaultTimeZone: e.DEFAULT_TIMEZONE,
    allowedChannelIds: e.ALLOWED_CHANNEL_IDS,
    allowedUserIds: e.ALLOWED_USER_IDS,
    adminUserIds: e.ADMIN_USER_IDS,
    alertChannel: e.ALERT_CHANNEL,
    pollIntervalSeconds: e.POLL_INTERVAL_SECONDS,
    pollOverlapMinutes: e.POLL_OVERLAP_MINUTES,
    reconcileLookbackHours: e.RECONCILE_LOOKBACK_HOURS,
    reconcileIntervalSeconds: e.RECONCILE_INTERVAL_SECONDS,
    databasePath: e.DATABASE_PATH,
    databaseUrl,
    databasePathGiven: env.DATABASE_PATH !== undefined && env.DATABASE_PATH.trim() !== '',
    digestGraceMinutes: e.DIGEST_GRACE_MINUTES,
    rpo: {
      defaultMs: e.RPO_DEFAULT,
      goneGraceMs: e.RPO_GONE_GRACE,
      evaluateMinutes: e.RPO_EVALUATE_MINUTES,
      lookbackDays: e.RPO_LOOKBACK_DAYS,
    },
    leaseSeconds: e.LEASE_SECONDS,
    logLevel: e.LOG_LEVEL,
  };
}

function configError(problems: string[]): ReplibotError {
  return new ReplibotError('config_invalid', `Configuration is not valid:\n  - ${problems.join('\n  - ')}`, {
    hint: 'Fix the variables above (see the configuration table in README.md) and start again.',
  });
}

function readUtf8(path: string): string {
  return readFileSync(path, 'utf8');
}
