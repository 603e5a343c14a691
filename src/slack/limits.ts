/**
 * Block Kit limits, checked at run time. Slack rejects an oversized message with `invalid_blocks` (or
 * `msg_blocks_too_long` for the undocumented total), which would turn an answer into a silent failure; the
 * renderers stay under these by design and the fake Slack API in the tests runs this check on every message.
 */
import { isObject } from '../core/is-record.js';

export const BLOCK_LIMITS = {
  /** blocks in a message */
  messageBlocks: 50,
  /** blocks in a Home tab or modal view */
  viewBlocks: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  markdownText: 12_000,
  /** Slack's guideline for the `text` fallback; it truncates far above this */
  fallbackText: 4000,
  /** Slack answers msg_blocks_too_long at roughly 12-13k characters of block text in total */
  totalBlockText: 12_000,
} as const;

/** What our renderers aim for, so a message stays well under `totalBlockText`. */
export const TOTAL_TEXT_BUDGET = 9000;

export type Surface = 'message' | 'home' | 'modal';

const KNOWN_BLOCK_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'rich_text',
  'section',
  'video',
  'markdown',
  'table',
]);

/**
 * Every Block Kit limit the message breaks, as `"<what> [json-pointer:/blocks/3/text/text]"` lines, in the
 * spirit of Slack's own `invalid_blocks` errors. An empty array means Slack would accept it.
 */
export function findBlockKitViolations(
  message: { text?: string; blocks?: unknown[] },
  surface: Surface = 'message',
): string[] {
  const problems: string[] = [];
  const add = (what: string, pointer: string) => problems.push(`${what} [json-pointer:${pointer}]`);
  const blocks = message.blocks ?? [];
  const maxBlocks = surface === 'message' ? BLOCK_LIMITS.messageBlocks : BLOCK_LIMITS.viewBlocks;
  if (!Array.isArray(blocks)) {
    add('blocks must be an array', '/blocks');
    return problems;
  }
  if (blocks.length > maxBlocks)
    add(`no more than ${maxBlocks} blocks allowed (got ${blocks.length})`, '/blocks');
  if (surface === 'message') {
    const text = message.text ?? '';
    if (blocks.length > 0 && text.trim() === '') add('a text fallback is required with blocks', '/text');
    if (text.length > BLOCK_LIMITS.fallbackText)
      add(`text must be at most ${BLOCK_LIMITS.fallbackText} characters (got ${text.length})`, '/text');
  }

  let total = 0;
  const countText = (value: unknown): number => (typeof value === 'string' ? value.length : 0);
  const checkTextObject = (
    value: unknown,
    pointer: string,
    max: number,
    options: { plainOnly?: boolean; required?: boolean } = {},
  ): void => {
    if (value === undefined) {
      if (options.required) add('text is required', pointer);
      return;
    }
    if (!isObject(value)) {
      add('must be a text object', pointer);
      return;
    }
    const object = value;
    if (object.type !== 'plain_text' && object.type !== 'mrkdwn')
      add('type must be plain_text or mrkdwn', pointer);
    if (options.plainOnly && object.type !== 'plain_text') add('must be plain_text', `${pointer}/type`);
    if (typeof object.text !== 'string' || object.text.length === 0) {
      add('text must be a non-empty string', `${pointer}/text`);
      return;
    }
    total += countText(object.text);
    if (object.text.length > max)
      add(`must be at most ${max} characters (got ${object.text.length})`, `${pointer}/text`);
  };
  const checkElement = (element: unknown, pointer: string): void => {
    if (!isObject(element)) {
      add('element must be an object', pointer);
      return;
    }
    const e = element;
    if (typeof e.action_id === 'string' && e.action_id.length > BLOCK_LIMITS.actionId)
      add(`action_id must be at most ${BLOCK_LIMITS.actionId} characters`, `${pointer}/action_id`);
    if (e.type === 'button') {
      checkTextObject(e.text, `${pointer}/text`, BLOCK_LIMITS.buttonText, {
        plainOnly: true,
        required: true,
      });
      if (typeof e.value === 'string' && e.value.length > BLOCK_LIMITS.buttonValue)
        add(
          `value must be at most ${BLOCK_LIMITS.buttonValue} characters (got ${e.value.length})`,
          `${pointer}/value`,
        );
      if (typeof e.url === 'string' && e.url.length > BLOCK_LIMITS.buttonUrl)
        add(`url must be at most ${BLOCK_LIMITS.buttonUrl} characters`, `${pointer}/url`);
    }
  };

  blocks.forEach((raw, index) => {
    const pointer = `/blocks/${index}`;
    if (!isObject(raw)) {
      add('block must be an object', pointer);
      return;
    }
    const block = raw;
    if (typeof block.type !== 'string' || !KNOWN_BLOCK_TYPES.has(block.type)) {
      add(`unknown block type ${JSON.stringify(block.type)}`, `${pointer}/type`);
      return;
    }
    if (typeof block.block_id === 'string' && block.block_id.length > BLOCK_LIMITS.blockId)
      add(`block_id must be at most ${BLOCK_LIMITS.blockId} characters`, `${pointer}/block_id`);
    switch (block.type) {
      case 'header':
        checkTextObject(block.text, `${pointer}/text`, BLOCK_LIMITS.headerText, {
          plainOnly: true,
          required: true,
        });
        break;
      case 'section': {
        const fields = block.fields;
        if (block.text === undefined && fields === undefined) add('a section needs text or fields', pointer);
        checkTextObject(block.text, `${pointer}/text`, BLOCK_LIMITS.sectionText);
        if (fields !== undefined) {
          if (!Array.isArray(fields)) add('fields must be an array', `${pointer}/fields`);
          else {
            if (fields.length > BLOCK_LIMITS.sectionFields)
              add(
                `no more than ${BLOCK_LIMITS.sectionFields} fields allowed (got ${fields.length})`,
                `${pointer}/fields`,
              );
            fields.forEach((field, i) => {
              checkTextObject(field, `${pointer}/fields/${i}`, BLOCK_LIMITS.fieldText, { required: true });
            });
          }
        }
        if (block.accessory !== undefined) checkElement(block.accessory, `${pointer}/accessory`);
        break;
      }
      case 'context': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0) {
          add('context needs 1 to 10 elements', `${pointer}/elements`);
          break;
        }
        if (elements.length > BLOCK_LIMITS.contextElements)
          add(`no more than ${BLOCK_LIMITS.contextElements} elements allowed`, `${pointer}/elements`);
        elements.forEach((element, i) => {
          if (isObject(element) && (element.type === 'plain_text' || element.type === 'mrkdwn'))
            checkTextObject(element, `${pointer}/elements/${i}`, BLOCK_LIMITS.contextText);
        });
        break;
      }
      case 'actions': {
        const elements = block.elements;
        if (!Array.isArray(elements) || elements.length === 0) {
          add('actions needs 1 to 25 elements', `${pointer}/elements`);
          break;
        }
        if (elements.length > BLOCK_LIMITS.actionsElements)
          add(`no more than ${BLOCK_LIMITS.actionsElements} elements allowed`, `${pointer}/elements`);
        const seen = new Set<string>();
        elements.forEach((element, i) => {
          checkElement(element, `${pointer}/elements/${i}`);
          const id = isObject(element) ? element.action_id : undefined;
          if (typeof id === 'string') {
            if (seen.has(id))
              add(`action_id ${id} is used twice in one block`, `${pointer}/elements/${i}/action_id`);
            seen.add(id);
          }
        });
        break;
      }
      case 'markdown':
        if (typeof block.text !== 'string' || block.text.length > BLOCK_LIMITS.markdownText)
          add(`markdown text must be 1 to ${BLOCK_LIMITS.markdownText} characters`, `${pointer}/text`);
        else total += block.text.length;
        break;
      default:
        break;
    }
  });
  if (total > BLOCK_LIMITS.totalBlockText)
    add(
      `blocks hold ${total} characters of text, over Slack's ~${BLOCK_LIMITS.totalBlockText} total`,
      '/blocks',
    );
  return problems;
}
