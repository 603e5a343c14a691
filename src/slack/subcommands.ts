/**
 * How features add `/replicas <word> ...` subcommands (alerts: `/replicas alerts on`, digests:
 * `/replicas digest daily 08:00`). The command listener matches the first word against `name` and `aliases`
 * before it reads the text as a question, and lists each `usage` in `/replicas help`.
 */
import type { RespondArguments, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';
import { escapeStrayMarkup } from './mrkdwn.js';

export interface SubcommandContext {
  /** the text after the subcommand word, trimmed */
  args: string;
  userId: string;
  channelId: string;
  /** the asker's IANA zone (from users.info, else DEFAULT_TIMEZONE) */
  timeZone: string;
  /** replies to the asker through the command's response_url (ephemeral unless response_type is in_channel) */
  respond(message: string | RespondArguments): Promise<void>;
  client: WebClient;
  logger: Logger;
}

export interface SlashSubcommand {
  /** the first word, lower case: `alerts` */
  name: string;
  aliases?: string[];
  /** shown in help after `/replicas `: `alerts on|off [vm]` */
  usage: string;
  description: string;
  /** may throw: a ReplibotError becomes a clear ephemeral message with a reference id */
  handle(ctx: SubcommandContext): Promise<void>;
  /**
   * For a word another feature also uses (`subscribe rpo ...` beside `subscribe ...`): takes only the texts this
   * says yes to, and is asked before the subcommands of that word without it.
   */
  accepts?(args: string): boolean;
}

/** The subcommand a slash-command text starts with, and the rest of the text. */
export function findSubcommand(
  text: string,
  subcommands: readonly SlashSubcommand[],
): { subcommand: SlashSubcommand; args: string } | null {
  const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(text);
  if (!match) return null;
  const [, first = '', rest = ''] = match;
  const word = first.toLowerCase();
  const args = rest.trim();
  const named = subcommands.filter((s) => s.name === word || (s.aliases ?? []).includes(word));
  const subcommand =
    named.find((s) => s.accepts?.(args) === true) ?? named.find((s) => s.accepts === undefined);
  return subcommand ? { subcommand, args } : null;
}

/**
 * Bolt's respond function with the shape `SubcommandContext.respond` promises. Every subcommand reply goes
 * through here, so this is where a stray `<` of ours (`unsubscribe <n>`, `tz <IANA zone>`) is escaped for
 * mrkdwn, in the text and in every mrkdwn field of the blocks, whichever feature wrote it.
 */
export function toRespond(respond: RespondFn): SubcommandContext['respond'] {
  return async (message) => {
    await respond(toSafeReply(message));
  };
}

/** The reply with `escapeStrayMarkup` applied to its mrkdwn: `text` (unless `mrkdwn: false`) and block fields. */
function toSafeReply(message: string | RespondArguments): string | RespondArguments {
  if (typeof message === 'string') return escapeStrayMarkup(message);
  const safe = { ...message } as Record<string, unknown>;
  if (typeof safe.text === 'string' && safe.mrkdwn !== false) safe.text = escapeStrayMarkup(safe.text);
  if (Array.isArray(safe.blocks)) safe.blocks = safe.blocks.map(toSafeMrkdwnFields);
  return safe as RespondArguments;
}

/** Every `{ type: 'mrkdwn', text }` inside a block, escaped; plain_text and everything else as it was. */
function toSafeMrkdwnFields(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toSafeMrkdwnFields);
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node).map(([key, value]) => [key, toSafeMrkdwnFields(value)] as const);
  const copy = Object.fromEntries(entries) as Record<string, unknown>;
  if (copy.type === 'mrkdwn' && typeof copy.text === 'string') copy.text = escapeStrayMarkup(copy.text);
  return copy;
}
