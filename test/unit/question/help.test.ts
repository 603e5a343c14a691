import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMuteRequest } from '../../../src/features/alerts/domain/subscription-filter.js';
import {
  isRpoSubscribe,
  parseRpoSubscription,
} from '../../../src/features/rpo/domain/parse-rpo-subscription.js';
import {
  EXAMPLE_COMMANDS,
  EXAMPLE_QUESTIONS,
  HELP_WORDS,
  helpText,
  isHelpRequest,
} from '../../../src/question/help.js';
import { parseQuestion } from '../../../src/question/parse-question.js';
import { readQuestion } from '../../../src/question/read-question.js';

const NOW = new Date('2026-11-23T10:05:00.000Z');

describe('helpText', () => {
  it('shows exactly the example questions, section by section', () => {
    const help = helpText();
    expect(help.summary).toContain('time zone');
    expect(help.sections.length).toBeGreaterThanOrEqual(4);
    expect(help.sections.flatMap((s) => s.examples)).toEqual([...EXAMPLE_QUESTIONS]);
  });

  // the reading every front door gives a question (RPO words first, then the kind, then the grammar)
  it.each(EXAMPLE_QUESTIONS.map((q) => [q]))(
    'reads the example "%s" as a query or an RPO question',
    (question) => {
      for (const timeZone of ['UTC', 'Europe/Berlin', 'Pacific/Auckland']) {
        const parsed = readQuestion(question, { now: NOW, timeZone });
        expect(['query', 'rpo'], `${question} in ${timeZone}: ${JSON.stringify(parsed)}`).toContain(
          parsed.kind,
        );
      }
    },
  );

  it('reads the RPO examples as RPO questions, the others as session queries', () => {
    const rpo = helpText().sections.find((s) => s.title.startsWith('Protection'));
    expect(rpo?.examples.length).toBeGreaterThanOrEqual(4);
    for (const question of EXAMPLE_QUESTIONS) {
      const kind = readQuestion(question, { now: NOW, timeZone: 'UTC' }).kind;
      expect(kind, question).toBe(rpo?.examples.includes(question) ? 'rpo' : 'query');
      if (kind === 'query') expect(parseQuestion(question, { now: NOW, timeZone: 'UTC' }).kind).toBe('query');
    }
  });

  it.each(EXAMPLE_COMMANDS.map((c) => [c]))(
    'reads the command example "%s" with its subcommand',
    (example) => {
      const [word = '', ...rest] = example.split(' ');
      const args = rest.join(' ');
      if (word === 'subscribe' && isRpoSubscribe(args)) {
        expect(parseRpoSubscription(args)).toMatchObject({ ok: true });
      } else if (word === 'mute') {
        expect(parseMuteRequest(args)).toMatchObject({ ok: true });
      } else {
        throw new Error(`no reader for the command example "${example}": add one here`);
      }
    },
  );

  it('is in step with docs/questions.md', () => {
    const docs = readFileSync(new URL('../../../docs/questions.md', import.meta.url), 'utf8');
    for (const question of EXAMPLE_QUESTIONS) expect(docs).toContain(question);
    for (const command of EXAMPLE_COMMANDS) expect(docs).toContain(command);
  });
});

describe('isHelpRequest', () => {
  it('reads the same help words on every surface, and nothing else', () => {
    for (const word of ['help', 'HELP', ' ? ', '-h', '--help', '']) expect(isHelpRequest(word)).toBe(true);
    for (const text of ['helpful', 'failed today', '-help', 'help me'])
      expect(isHelpRequest(text)).toBe(false);
  });

  it('agrees with the parser, which reads every help word as help', () => {
    for (const word of HELP_WORDS)
      expect(parseQuestion(word, { now: NOW, timeZone: 'UTC' }).kind).toBe('help');
  });
});
