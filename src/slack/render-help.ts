import type { KnownBlock } from '@slack/types';
import type { HelpReply, NotUnderstoodReply } from '../answers/domain/reply.js';
import type { SlackMessage } from '../answers/slack/render-answer.js';
import { toFallbackText } from '../answers/slack/render-answer.js';
import { toSentence } from '../core/format.js';
import { BLOCK_LIMITS } from './limits.js';
import { escapeMrkdwn, toSafeMrkdwn, truncateText } from './mrkdwn.js';

/** `/replicas help`: what replibot understands, with examples a user can copy. */
export function renderHelp(reply: HelpReply, command = '/replicas'): SlackMessage {
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: 'What I can answer', emoji: false } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: toSafeMrkdwn(reply.help.summary, BLOCK_LIMITS.sectionText) },
    },
  ];
  // 50 blocks at most: the header, summary, commands and footer leave room for 40 sections of examples.
  for (const section of reply.help.sections.slice(0, 40)) {
    const lines = [
      `*${escapeMrkdwn(section.title)}*`,
      ...section.examples.map((example) => `• \`${command} ${escapeMrkdwn(example)}\``),
    ];
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncateText(lines.join('\n'), 2900) } });
  }
  if (reply.commands.length > 0) {
    const lines = reply.commands.map(
      (c) => `• \`${command} ${escapeMrkdwn(c.usage)}\`  ${escapeMrkdwn(toSentence(c.description))}`,
    );
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncateText(`*Commands*\n${lines.join('\n')}`, 2900) },
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `You can also mention me in a channel or send me a direct message with the same questions.`,
      },
    ],
  });
  return { text: toFallbackText(`replibot help: ${reply.help.summary}`), blocks };
}

export function renderNotUnderstood(reply: NotUnderstoodReply, command = '/replicas'): SlackMessage {
  // The parser's error already quotes the question and says what it could not read.
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `:thinking_face: ${toSafeMrkdwn(reply.error, 2000)}` } },
  ];
  if (reply.suggestions.length > 0) {
    const tries = reply.suggestions.slice(0, 8).map((s) => `• \`${command} ${toSafeMrkdwn(s, 200)}\``);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Try for example*\n${tries.join('\n')}` },
    });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: `\`${command} help\` lists everything I understand.` }],
  });
  return { text: toFallbackText(reply.error), blocks };
}
