import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EXAMPLE_QUESTIONS, HELP_WORDS, helpText, isHelpRequest } from '../../../src/question/help.js';
import { parseQuestion } from '../../../src/question/parse-question.js';

const NOW = new Date('2026-11-23T10:05:00.000Z');

describe('helpText', () => {
  it('shows exactly the example questions, section by section', () => {
    const help = helpText();
    expect(help.summary).toContain('time zone');
    expect(help.sections.length).toBeGreaterThanOrEqual(4);
    expect(help.sections.flatMap((s) => s.examples)).toEqual([...EXAMPLE_QUESTIONS]);
  });

  it.each(EXAMPLE_QUESTIONS.map((q) => [q]))('reads the example "%s" as a query', (question) => {
    for (const timeZone of ['UTC', 'Europe/Berlin', 'Pacific/Auckland']) {
      const parsed = parseQuestion(question, { now: NOW, timeZone });
      expect(parsed.kind, `${question} in ${timeZone}: ${JSON.stringify(parsed)}`).toBe('query');
    }
  });

  it('is in step with docs/questions.md', () => {
    const docs = readFileSync(new URL('../../../docs/questions.md', import.meta.url), 'utf8');
    for (const question of EXAMPLE_QUESTIONS) expect(docs).toContain(question);
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
