import { writeFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { type Command, Option } from 'commander';
import { connectEm } from '../app/connect-em.js';
import { ReplibotError } from '../core/errors.js';
import { collectDigest } from '../features/digests/collect-digest.js';
import type { DigestPeriod } from '../features/digests/domain/digest-window.js';
import { toDigestHeadline, toDigestTitle, toPeriodLabel } from '../features/digests/domain/format-digest.js';
import { renderDigestChart } from '../features/digests/render-digest-chart.js';
import { renderDigestBlocks } from '../features/digests/slack/render-digest-blocks.js';
import { renderDigestText } from '../features/digests/text/render-digest-text.js';
import type { CliIo } from './cli-io.js';
import { prepareOneShot } from './one-shot.js';

export type DigestFormat = 'text' | 'blocks' | 'json';

export interface DigestCommandOptions {
  env?: NodeJS.ProcessEnv;
  period?: DigestPeriod;
  /** ISO instant the period ends at; default now */
  now?: string;
  timeZone?: string;
  format?: DigestFormat;
  /** write the chart PNG here */
  chart?: string;
  job?: string;
  server?: string;
  failedOnly?: boolean;
  /** the backup digest instead of the replication one */
  backups?: boolean;
  output?: Writable;
  errorOutput?: Writable;
}

/** `replibot digest`: the digest a channel would get, on stdout. Resolves with the exit code. */
export async function runDigestCommand(options: DigestCommandOptions): Promise<number> {
  const { output, errorOutput, config, now, timeZone, logger } = prepareOneShot(options);
  // without VEEAM_URL the simulator's history is made around --now, so a digest for any date has data
  const connection = await connectEm(config, logger, { now: () => now });
  if (connection.simulator)
    errorOutput.write(
      'replibot: VEEAM_URL is not set; the digest comes from the built-in EM simulator (demo data).\n',
    );
  try {
    const digest = await collectDigest(connection.em, {
      period: options.period ?? 'day',
      end: now,
      timeZone,
      filters: {
        jobName: options.job ?? null,
        serverName: options.server ?? null,
        failedOnly: options.failedOnly ?? false,
        ...(options.backups ? { kind: 'backup' as const } : {}),
      },
      concurrency: config.veeam?.concurrency,
    });
    const format = options.format ?? 'text';
    if (format === 'blocks') output.write(`${JSON.stringify(renderDigestBlocks(digest), null, 2)}\n`);
    else if (format === 'json')
      output.write(
        `${JSON.stringify(
          {
            title: toDigestTitle(digest.window, digest.filters.kind),
            period: toPeriodLabel(digest.window),
            headline: toDigestHeadline(digest),
            ...digest,
          },
          null,
          2,
        )}\n`,
      );
    else output.write(renderDigestText(digest));
    if (options.chart !== undefined) {
      const chart = renderDigestChart(digest);
      try {
        writeFileSync(options.chart, chart.png);
      } catch (error) {
        throw new ReplibotError('internal', `Cannot write the chart to ${options.chart}.`, {
          hint: 'Check that the folder exists and is writable.',
          cause: error,
        });
      }
      errorOutput.write(
        `replibot: chart written to ${options.chart} (${chart.width}×${chart.height} PNG${chart.hasText ? '' : ', no labels: no font found'}).\n`,
      );
    }
    return 0;
  } finally {
    await connection.close().catch(() => {});
  }
}

/** `replibot digest`: see a digest before scheduling one. */
export function registerDigestCommand(program: Command, io: CliIo): void {
  program
    .command('digest')
    .description('Print the digest of the last day or week (VEEAM_URL, else the built-in simulator)')
    .addOption(
      new Option('--period <period>', 'the span the digest covers').choices(['day', 'week']).default('day'),
    )
    .option('--now <iso>', 'when the period ends, e.g. 2024-05-14T08:00:00Z (default: now)')
    .option('--tz <zone>', 'IANA time zone for days and times (default DEFAULT_TIMEZONE, else UTC)')
    .addOption(
      new Option('--format <format>', 'text for people, blocks for the Slack message, json for scripts')
        .choices(['text', 'blocks', 'json'])
        .default('text'),
    )
    .option('--chart <file>', 'also write the per-day chart as a PNG')
    .option(
      '--backups',
      'the backup digest (backup, backup copy, agent and file share jobs) instead of replication',
    )
    .option('--job <name>', 'only this job')
    .option('--server <name>', 'only this backup server')
    .option(
      '--failed-only',
      'only failures, failing streaks and VMs that stopped replicating (or backing up)',
    )
    .action(
      async (opts: {
        period: DigestPeriod;
        now?: string;
        tz?: string;
        format: DigestFormat;
        chart?: string;
        job?: string;
        server?: string;
        failedOnly?: boolean;
        backups?: boolean;
      }) => {
        io.exitCode = await runDigestCommand({
          env: io.env,
          output: io.stdout,
          errorOutput: io.stderr,
          period: opts.period,
          now: opts.now,
          timeZone: opts.tz,
          format: opts.format,
          chart: opts.chart,
          job: opts.job,
          server: opts.server,
          failedOnly: opts.failedOnly ?? false,
          backups: opts.backups ?? false,
        });
      },
    );
}
