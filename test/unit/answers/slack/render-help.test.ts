import { describe, expect, it } from 'vitest';
import type { HelpReply, NotUnderstoodReply } from '../../../../src/answers/domain/reply.js';
import { renderHelp, renderNotUnderstood } from '../../../../src/answers/slack/render-help.js';
import { helpText } from '../../../../src/question/help.js';

const help: HelpReply = {
  kind: 'help',
  help: helpText(),
  commands: [{ usage: 'mute [vm|job] <name> <duration>', description: 'mute alerts' }],
};

describe('renderHelp', () => {
  it('shows each example behind /replicas for the command', () => {
    const text = JSON.stringify(renderHelp(help, 'command').blocks);
    expect(text).toContain('`/replicas failed replicas today`');
    expect(text).toContain('mention me');
  });

  it('shows each example as it is typed in a mention or DM, and the subcommands behind /replicas', () => {
    const text = JSON.stringify(renderHelp(help, 'conversation').blocks);
    expect(text).toContain('`failed replicas today`');
    expect(text).not.toContain('/replicas failed replicas today');
    expect(text).toContain('`/replicas mute [vm|job] &lt;name&gt; &lt;duration&gt;`  Mute alerts.');
    expect(text).toContain('/replicas <question>');
  });

  it('shows the RPO questions as typed, and their command examples behind /replicas on both surfaces', () => {
    for (const surface of ['command', 'conversation'] as const) {
      const text = JSON.stringify(renderHelp(help, surface).blocks);
      expect(text).toContain(
        surface === 'command' ? '`/replicas is apache02 protected`' : '`is apache02 protected`',
      );
      expect(text).toContain('`/replicas subscribe rpo 4h job \\"SQL Replica\\"`');
      expect(text).toContain('`/replicas mute vm apache02 8h`');
    }
  });

  it('writes the same help text on both surfaces', () => {
    const summary = (surface: 'command' | 'conversation') => renderHelp(help, surface).text;
    expect(summary('conversation')).toBe(summary('command'));
  });
});

describe('renderNotUnderstood', () => {
  const reply: NotUnderstoodReply = {
    kind: 'not-understood',
    question: 'blorp',
    error: 'I did not understand "blorp".',
    suggestions: ['failed replicas today'],
  };

  it('offers suggestions and help as typed on each surface', () => {
    const command = JSON.stringify(renderNotUnderstood(reply, 'command').blocks);
    expect(command).toContain('`/replicas failed replicas today`');
    expect(command).toContain('`/replicas help`');
    const conversation = JSON.stringify(renderNotUnderstood(reply, 'conversation').blocks);
    expect(conversation).toContain('• `failed replicas today`');
    expect(conversation).toContain('`help` lists everything');
    expect(conversation).not.toContain('/replicas');
  });
});
