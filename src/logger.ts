import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * The process logger: JSON lines on stderr (stdout stays clean for `parse`/`ask` output).
 * Known secret-bearing keys are redacted wherever they appear.
 */
export function createLogger(level = 'info', destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: { app: 'replibot' },
      redact: {
        paths: [
          'password',
          '*.password',
          'token',
          '*.token',
          'sessionId',
          '*.sessionId',
          'headers.authorization',
          'headers["x-restsvcsessionid"]',
          '*.headers.authorization',
          '*.headers["x-restsvcsessionid"]',
          'botToken',
          'appToken',
          'signingSecret',
          '*.botToken',
          '*.appToken',
          '*.signingSecret',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export const silentLogger: Logger = pino({ level: 'silent' });
