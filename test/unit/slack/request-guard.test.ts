import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkSlackBody, checkSlackSignature, parseSlackBody } from '../../../src/slack/request-guard.js';

const SECRET = 'shh';
const NOW_MS = Date.parse('2026-11-23T12:00:00Z');
const headersFor = (body: string, ts: number) => ({
  'x-slack-request-timestamp': String(ts),
  'x-slack-signature': `v0=${createHmac('sha256', SECRET).update(`v0:${ts}:${body}`).digest('hex')}`,
});

describe('checkSlackSignature', () => {
  const now = NOW_MS / 1000;

  it('accepts a signature within 5 minutes either way', () => {
    expect(checkSlackSignature('x', headersFor('x', now), SECRET, NOW_MS)).toBeNull();
    expect(checkSlackSignature('x', headersFor('x', now + 300), SECRET, NOW_MS)).toBeNull();
    expect(checkSlackSignature('x', headersFor('x', now - 300), SECRET, NOW_MS)).toBeNull();
  });

  it('refuses a timestamp over 5 minutes in the future or the past, or spelled oddly', () => {
    expect(checkSlackSignature('x', headersFor('x', now + 301), SECRET, NOW_MS)).toContain('future');
    expect(checkSlackSignature('x', headersFor('x', now - 301), SECRET, NOW_MS)).toContain('old');
    const odd = { ...headersFor('x', now), 'x-slack-request-timestamp': `0${now}` };
    expect(checkSlackSignature('x', odd, SECRET, NOW_MS)).toContain('timestamp');
  });

  it('refuses a changed body, another secret and a missing header', () => {
    expect(checkSlackSignature('y', headersFor('x', now), SECRET, NOW_MS)).toContain('does not match');
    expect(checkSlackSignature('x', headersFor('x', now), 'other', NOW_MS)).toContain('does not match');
    expect(checkSlackSignature('x', {}, SECRET, NOW_MS)).not.toBeNull();
  });
});

describe('checkSlackBody', () => {
  it('passes the shapes Slack sends', () => {
    expect(
      checkSlackBody({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention' } }),
    ).toBeNull();
    expect(checkSlackBody({ type: 'url_verification', challenge: 'c' })).toBeNull();
    expect(
      checkSlackBody({
        type: 'block_actions',
        user: { id: 'U1' },
        actions: [{ action_id: 'a' }],
        channel: { id: 'C1' },
      }),
    ).toBeNull();
    expect(
      checkSlackBody({
        command: '/replicas',
        user_id: 'U1',
        channel_id: 'C1',
        text: '',
        response_url: 'https://x',
      }),
    ).toBeNull();
  });

  it('names what is wrong with a body Bolt would crash on', () => {
    expect(checkSlackBody(null)).toContain('not a JSON object');
    expect(checkSlackBody([])).toContain('not a JSON object');
    expect(checkSlackBody({})).toContain('no type');
    expect(checkSlackBody({ type: 'event_callback', event_id: 'Ev1' })).toContain('without an event');
    expect(checkSlackBody({ type: 'event_callback', event: { type: 'x' } })).toContain('event_id');
    expect(checkSlackBody({ type: 'block_actions', actions: [{ action_id: 'a' }] })).toContain('user');
    expect(checkSlackBody({ type: 'block_actions', user: { id: 'U1' }, actions: [null] })).toContain(
      'action_id',
    );
    expect(checkSlackBody({ command: '/replicas', user_id: ['U1', 'U2'] })).toContain('user_id');
  });
});

describe('parseSlackBody', () => {
  it('reads a form, its payload field and JSON as Bolt does', () => {
    expect(parseSlackBody('a=1', 'application/x-www-form-urlencoded')).toEqual({
      ok: true,
      body: { a: '1' },
    });
    expect(parseSlackBody('payload=%7B%7D', 'application/x-www-form-urlencoded')).toEqual({
      ok: true,
      body: {},
    });
    expect(parseSlackBody('null', 'application/json')).toEqual({ ok: true, body: null });
  });

  it('refuses a repeated form field and text that is not JSON', () => {
    expect(parseSlackBody('a=1&a=2', 'application/x-www-form-urlencoded').ok).toBe(false);
    expect(parseSlackBody('payload=x', 'application/x-www-form-urlencoded').ok).toBe(false);
    expect(parseSlackBody('{', 'application/json').ok).toBe(false);
  });
});
