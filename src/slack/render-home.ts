import type { KnownBlock, View } from '@slack/types';
import type { LastDaySummary } from '../answers/domain/summarize-last-day.js';
import { renderCountsLine, renderSessionText } from '../answers/slack/render-answer.js';
import { BLOCK_LIMITS } from './limits.js';
import { escapeMrkdwn, truncateText } from './mrkdwn.js';
import { toSlackDate } from './slack-date.js';

export interface HomeRenderOptions {
  timeZone: string;
  /** examples from the question parser's help */
  examples: string[];
  /** blocks other features add (poller status, digest schedule); the total is capped at 100 */
  extras?: KnownBlock[];
  /** shown instead of the summary when EM could not be asked */
  problem?: string;
}

/** The App Home tab: the last 24 hours at a glance. */
export function renderHome(summary: LastDaySummary | null, options: HomeRenderOptions): View {
  const tz = options.timeZone;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'Replicas in the last 24 hours', emoji: false } },
  ];
  if (summary === null) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `:warning: ${truncateText(escapeMrkdwn(options.problem ?? 'No data.'), 2900)}`,
      },
    });
  } else {
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `${toSlackDate(summary.from, tz)} to ${toSlackDate(summary.to, tz)}  ·  updated when you open this tab`,
        },
      ],
    });
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text:
          summary.total === 0
            ? 'No replication task sessions in the last 24 hours.'
            : renderCountsLine(summary.counts, summary.total),
      },
    });
    if (summary.failingVms.length > 0) {
      const names = summary.failingVms.slice(0, 30).map((vm) => `*${escapeMrkdwn(vm)}*`);
      const more = summary.failingVms.length > 30 ? ` and ${summary.failingVms.length - 30} more` : '';
      blocks.push({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: truncateText(
            `:x: Failing now (newest run failed): ${names.join(', ')}${more}`,
            BLOCK_LIMITS.sectionText,
          ),
        },
      });
    }
    if (summary.latestProblems.length > 0) {
      blocks.push({ type: 'divider' });
      blocks.push({ type: 'section', text: { type: 'mrkdwn', text: '*Latest failures and warnings*' } });
      for (const row of summary.latestProblems) {
        blocks.push({
          type: 'section',
          text: { type: 'mrkdwn', text: renderSessionText(row, tz, summary.to) },
        });
      }
    }
  }
  if (options.examples.length > 0) {
    blocks.push({ type: 'divider' });
    const lines = options.examples.slice(0, 8).map((e) => `• \`/replicas ${escapeMrkdwn(e)}\``);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncateText(`*Ask me*\n${lines.join('\n')}`, BLOCK_LIMITS.sectionText) },
    });
  }
  const extras = options.extras ?? [];
  const room = BLOCK_LIMITS.viewBlocks - blocks.length;
  if (extras.length > 0 && room > 1) blocks.push({ type: 'divider' }, ...extras.slice(0, room - 1));
  return { type: 'home', blocks };
}
