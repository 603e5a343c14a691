/**
 * Posts a digest to a channel: the message first, then the chart as a file in its thread. The chart is a bonus:
 * if the upload fails (files:write missing, upload refused, resvg trouble) the digest has already gone out, and
 * the failure is only logged and noted.
 *
 * After a restart, `findPostedDigest` finds a digest a previous process posted but did not record (by its message
 * metadata) and `completeDigestChart` adds the chart to its thread if the upload never happened.
 */
import type { webApi } from '@slack/bolt';
import { ReplibotError } from '../../../core/errors.js';
import { must } from '../../../core/must.js';
import type { Logger } from '../../../logger.js';
import {
  findMessage,
  findMessageByMetadata,
  type MessageSearch,
} from '../../../slack/find-message-by-metadata.js';
import { SLACK_TOKEN_HINT, toSlackFailure } from '../../../slack/slack-errors.js';
import { type Digest, hasDigestProblems } from '../domain/summarize-digest.js';
import { toChartTitle } from '../domain/to-digest-chart-svg.js';
import { renderDigestChart } from '../render-digest-chart.js';
import { renderDigestBlocks } from './render-digest-blocks.js';

/** Message metadata type on every digest, so a digest can be recognised in the channel history. */
const DIGEST_METADATA_EVENT = 'replibot_digest';

export interface PostDigestOptions {
  late?: boolean;
  /** leave the chart out (a failures-only digest with nothing to draw, or a test) */
  chart?: boolean;
  /** identifies the digest in message metadata */
  key?: string;
  /** sections other features add (FeatureContext.digestSections) */
  extraSections?: readonly string[];
  logger?: Logger;
}

export interface PostedDigest {
  ts: string;
  /** the uploaded chart's file id; null when there was none or the upload failed */
  chartFileId: string | null;
  /** what went wrong with the chart, if anything */
  chartError: string | null;
}

/** Hints for the Slack errors where the channel itself is the problem (src/slack/slack-errors.ts classifies). */
const CHANNEL_ERRORS: Record<string, string> = {
  not_in_channel: 'replibot is not a member of the channel; invite it with /invite @replibot',
  channel_not_found:
    'the channel no longer exists or replibot cannot see it; invite replibot or remove the digest',
  is_archived: 'the channel is archived; remove the digest or unarchive the channel',
  restricted_action: 'the workspace does not let replibot post in that channel',
};

export async function postDigest(
  client: webApi.WebClient,
  channelId: string,
  digest: Digest,
  options: PostDigestOptions = {},
): Promise<PostedDigest> {
  const withChart = (options.chart ?? true) && hasChartRuns(digest);
  const message = renderDigestBlocks(digest, {
    late: options.late ?? false,
    chartInThread: withChart,
    ...(options.extraSections ? { extraSections: options.extraSections } : {}),
  });
  let ts: string;
  try {
    const response = await client.chat.postMessage({
      channel: channelId,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
      ...(options.key === undefined
        ? {}
        : { metadata: { event_type: DIGEST_METADATA_EVENT, event_payload: { key: options.key } } }),
    });
    if (typeof response.ts !== 'string') throw new Error('chat.postMessage returned no ts');
    ts = response.ts;
  } catch (error) {
    throw toSlackError(error, channelId);
  }

  if (!withChart) return { ts, chartFileId: null, chartError: null };
  return { ts, ...(await uploadChart(client, channelId, ts, digest, options.logger)) };
}

/**
 * The digest message with this key posted in the channel since `since`, from the channel history (message
 * metadata). Used after a restart for a delivery a previous process claimed but did not record.
 */
export function findPostedDigest(
  client: webApi.WebClient,
  channelId: string,
  key: string,
  since: Date,
): Promise<MessageSearch> {
  return findMessageByMetadata(client, { channelId, since, eventType: DIGEST_METADATA_EVENT, key });
}

export interface CompletedChart {
  chartFileId: string | null;
  chartError: string | null;
  /** true when the thread already held the chart, so nothing was uploaded */
  alreadyThere: boolean;
}

/**
 * Puts the chart into the thread of a digest found in the history after a restart, unless the thread already
 * has it (the previous process may have died before or after the upload). When the thread cannot be read the
 * chart is uploaded: a second chart is a smaller harm than none.
 */
export async function completeDigestChart(
  client: webApi.WebClient,
  channelId: string,
  ts: string,
  digest: Digest,
  options: { logger?: Logger } = {},
): Promise<CompletedChart> {
  if (!hasChartRuns(digest)) return { chartFileId: null, chartError: null, alreadyThere: false };
  const filename = chartFilename(digest);
  const existing = await findMessage(
    client,
    // the thread started at the digest itself; a little earlier allows for clock skew with Slack
    { channelId, threadTs: ts, since: new Date(Number(ts) * 1000 - 60_000) },
    (m) => m.ts !== ts && (m.files ?? []).some((f) => f.name === filename),
  );
  if (existing.status === 'found') return { chartFileId: null, chartError: null, alreadyThere: true };
  if (existing.status === 'unknown')
    options.logger?.warn(
      { channelId, ts, reason: existing.reason },
      'cannot tell whether the digest thread has its chart; uploading it',
    );
  return { ...(await uploadChart(client, channelId, ts, digest, options.logger)), alreadyThere: false };
}

function hasChartRuns(digest: Digest): boolean {
  return digest.perDay.some((d) => d.success + d.warning + d.failed > 0);
}

function chartFilename(digest: Digest): string {
  const date = must(digest.window.chartDays.at(-1), 'a window has at least one chart day').date;
  return `${digest.filters.kind === 'backup' ? 'backup' : 'replication'}-${digest.window.period === 'day' ? 'daily' : 'weekly'}-${date}.png`;
}

async function uploadChart(
  client: webApi.WebClient,
  channelId: string,
  ts: string,
  digest: Digest,
  logger: Logger | undefined,
): Promise<{ chartFileId: string | null; chartError: string | null }> {
  try {
    const chart = renderDigestChart(digest);
    const date = must(digest.window.chartDays.at(-1), 'a window has at least one chart day').date;
    // cast: @slack/web-api types filesUploadV2's answer as a bare WebAPICallResult; every field is read with ?.
    const uploaded = (await client.filesUploadV2({
      channel_id: channelId,
      thread_ts: ts,
      file: chart.png,
      filename: chartFilename(digest),
      title: `${toChartTitle(digest.filters.kind)}, ${digest.window.chartDays.length} days to ${date}`,
      alt_text: chart.altText,
    })) as { files?: Array<{ files?: Array<{ id?: string }> }> };
    const fileId = uploaded.files?.[0]?.files?.[0]?.id ?? null;
    return { chartFileId: fileId, chartError: null };
  } catch (error) {
    const failure = toSlackFailure(error);
    const reason =
      failure.kind === 'permanent' || failure.kind === 'auth'
        ? failure.code
        : error instanceof Error
          ? error.message
          : String(error);
    logger?.warn(
      { channelId, ts, reason, problems: hasDigestProblems(digest) },
      'digest posted without its chart: the upload failed',
    );
    return { chartFileId: null, chartError: reason };
  }
}

/** True when retrying the post cannot help (a permanent Slack failure, src/slack/slack-errors.ts). */
export function isPermanentDigestError(error: unknown): boolean {
  return error instanceof ReplibotError && error.code === 'slack_error' && error.permanent;
}

function toSlackError(error: unknown, channelId: string): ReplibotError {
  const failure = toSlackFailure(error);
  if (failure.kind === 'permanent')
    // the channel or the message is the problem: the scheduler does not retry these
    return new ReplibotError(
      'slack_error',
      `Slack refused the digest for channel ${channelId} (${failure.code}).`,
      {
        hint: CHANNEL_ERRORS[failure.code] ?? 'Slack will refuse it again; the log has the details.',
        permanent: true,
        cause: error,
      },
    );
  return new ReplibotError(
    'slack_error',
    `Slack did not accept the digest for channel ${channelId} (${failure.code}).`,
    {
      hint:
        failure.kind === 'auth'
          ? `${SLACK_TOKEN_HINT} replibot tries again within the grace period.`
          : 'replibot tries again within the grace period; check the bot token and Slack status.',
      cause: error,
    },
  );
}
