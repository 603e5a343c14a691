/**
 * How features add `/replicas <word> ...` subcommands (alerts: `/replicas alerts on`, digests:
 * `/replicas digest daily 08:00`). The command listener matches the first word against `name` and `aliases`
 * before it reads the text as a question, and lists each `usage` in `/replicas help`.
 */
import type { RespondArguments, RespondFn } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.js';

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
}

/** The subcommand a slash-command text starts with, and the rest of the text. */
export function findSubcommand(
  text: string,
  subcommands: readonly SlashSubcommand[],
): { subcommand: SlashSubcommand; args: string } | null {
  const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(text);
  if (!match) return null;
  const word = match[1]!.toLowerCase();
  const subcommand = subcommands.find((s) => s.name === word || (s.aliases ?? []).includes(word));
  return subcommand ? { subcommand, args: match[2]!.trim() } : null;
}

/** Bolt's respond function with the shape `SubcommandContext.respond` promises. */
export function toRespond(respond: RespondFn): SubcommandContext['respond'] {
  return async (message) => {
    await respond(message);
  };
}
