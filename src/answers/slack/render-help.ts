import type { KnownBlock } from '@slack/types';
import { toSentence } from '../../core/format.js';
import { BLOCK_LIMITS } from '../../slack/limits.js';
import { escapeMrkdwn, toSafeMrkdwn, truncateText } from '../../slack/mrkdwn.js';
import { type SlackMessage, toFallbackText } from '../../slack/slack-message.js';
import type { HelpReply, NotUnderstoodReply } from '../domain/reply.js';

/**
 * Where a question was typed: the slash command (`/replicas failed today`), or a mention or direct message
 * (`failed today`, no command in front). The help text is the same (src/question/help.ts); only how a
 * question is shown to copy, and the footer naming the other way in, differ.
 */
export type HelpSurface = 'command' | 'conversation';

const COMMAND = '/replicas';

/** A question as the user types it on that surface. */
function toTypedQuestion(question: string, surface: HelpSurface): string {
  return surface === 'command' ? `${COMMAND} ${question}` : question;
}

const OTHER_WAY_IN: Record<HelpSurface, string> = {
  command: 'You can also mention me in a channel or send me a direct message with the same questions.',
  conversation: `You can also ask with \`${COMMAND} <question>\`: the answer is shown only to you.`,
};

/** What replibot understands, with examples a user can copy as they are typed on `surface`. */
export function renderHelp(reply: HelpReply, surface: HelpSurface = 'command'): SlackMessage {
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
      ...section.examples.map((example) => `• \`${escapeMrkdwn(toTypedQuestion(example, surface))}\``),
      // subcommands exist only behind the slash command, wherever the help is read
      ...(section.commands ?? []).map((command) => `• \`${escapeMrkdwn(`${COMMAND} ${command}`)}\``),
    ];
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncateText(lines.join('\n'), 2900) } });
  }
  if (reply.commands.length > 0) {
    // subcommands exist only behind the slash command, wherever the help is read
    const lines = reply.commands.map(
      (c) => `• \`${COMMAND} ${escapeMrkdwn(c.usage)}\`  ${escapeMrkdwn(toSentence(c.description))}`,
    );
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: truncateText(`*Commands*\n${lines.join('\n')}`, 2900) },
    });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: OTHER_WAY_IN[surface] }],
  });
  return { text: toFallbackText(`replibot help: ${reply.help.summary}`), blocks };
}

export function renderNotUnderstood(
  reply: NotUnderstoodReply,
  surface: HelpSurface = 'command',
): SlackMessage {
  // The parser's error already quotes the question and says what it could not read.
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `:thinking_face: ${toSafeMrkdwn(reply.error, 2000)}` } },
  ];
  if (reply.suggestions.length > 0) {
    const tries = reply.suggestions
      .slice(0, 8)
      .map((s) => `• \`${surface === 'command' ? `${COMMAND} ` : ''}${toSafeMrkdwn(s, 200)}\``);
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `*Try for example*\n${tries.join('\n')}` },
    });
  }
  blocks.push({
    type: 'context',
    elements: [
      { type: 'mrkdwn', text: `\`${toTypedQuestion('help', surface)}\` lists everything I understand.` },
    ],
  });
  return { text: toFallbackText(reply.error), blocks };
}
