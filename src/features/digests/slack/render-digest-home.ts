/** The digests' lines in App Home: how many digests in how many channels, and how many failed last time. */
import type { KnownBlock } from '@slack/types';
import { must } from '../../../core/must.js';
import { DIGEST_USAGE, type DigestSchedule } from '../domain/digest-schedule.js';

export function renderDigestHomeBlocks(
  schedules: ReadonlyArray<Pick<DigestSchedule, 'channelId' | 'lastError'>>,
): KnownBlock[] {
  const failing = schedules.filter((s) => s.lastError !== null).length;
  const channels = new Set(schedules.map((s) => s.channelId)).size;
  const text =
    schedules.length === 0
      ? 'No digests yet. In a channel, try `/replicas digest daily 08:00`.'
      : `${schedules.length} digest${schedules.length === 1 ? '' : 's'} in ${channels} channel${channels === 1 ? '' : 's'}${failing > 0 ? ` · :warning: ${failing} could not be delivered last time (see \`/replicas digests\` there)` : ''}.`;
  return [
    { type: 'header', text: { type: 'plain_text', text: 'Digests' } },
    { type: 'section', text: { type: 'mrkdwn', text } },
    {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: must(DIGEST_USAGE[0], 'DIGEST_USAGE is a non-empty literal') }],
    },
  ];
}
