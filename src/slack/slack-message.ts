/** A Slack message as replibot sends it: Block Kit blocks and the `text` fallback every message carries. */
import type { KnownBlock } from '@slack/types';
import { toSafeMrkdwn } from './mrkdwn.js';

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** The `text` fallback is parsed for mentions too, so it is escaped like any mrkdwn. */
export function toFallbackText(text: string): string {
  return toSafeMrkdwn(text.replace(/\s+/g, ' ').trim(), 3000);
}
