/** What the terminal chat and the one-shot commands (`ask`, `digest`) share: a quiet logger, words about
 * the transport, the zone "today" is read in, and the common preamble. */
import type { Writable } from 'node:stream';
import { type Config, loadConfig } from '../config.js';
import { createLogger, type Logger } from '../logger.js';
import { resolveTimeOptions } from './time-options.js';

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
