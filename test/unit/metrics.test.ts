import { describe, expect, it } from 'vitest';
import { createMetrics, toLabelValue } from '../../src/metrics.js';
import { toEmRequestType } from '../../src/veeam/em-client.js';
import { parsePrometheusText, sampleSum } from '../fakes/prometheus-text.js';

describe('toEmRequestType', () => {
  it('names the request without any id', () => {
    expect(toEmRequestType('POST', '/api/sessionMngr/?v=latest')).toBe('logon');
    expect(toEmRequestType('DELETE', '/api/logonSessions/9f1c2d3e-aaaa-bbbb-cccc-1234567890ab')).toBe(
      'logoff',
    );
    expect(toEmRequestType('GET', '/api/')).toBe('probe');
    expect(toEmRequestType('GET', '/api/query?type=ReplicaTaskSession&format=Entities&filter=x')).toBe(
      'query:ReplicaTaskSession',
    );
    expect(toEmRequestType('GET', '/api/query?type=Bad%20Type')).toBe('query');
    expect(toEmRequestType('GET', '/api/replicaSessions/4f0c-11-22?format=Entity')).toBe('replicaSessions');
    expect(toEmRequestType('GET', '/api/replicaSessions/4f0c-11-22/taskSessions?format=Entity')).toBe(
      'replicaSessions/taskSessions',
    );
    expect(toEmRequestType('GET', '/api/urn:veeam:Thing:1')).toBe('other');
  });
});

describe('createMetrics', () => {
  it('keeps label values to a safe shape and reads the gauges on each scrape', async () => {
    expect(toLabelValue('channel_not_found')).toBe('channel_not_found');
    expect(toLabelValue('apache 02 "quoted"')).toBe('other');
    const now = new Date('2026-12-01T12:00:00Z');
    const metrics = createMetrics({ now: () => now });
    let pending = 3;
    metrics.watchOutbox(() => ({ pending, oldestPendingAt: new Date(now.getTime() - 90_000) }));
    let leader = true;
    metrics.watchLeadership(() => leader);
    metrics.slackCall('chat.postMessage', 'not in channel');
    let samples = parsePrometheusText(await metrics.render());
    expect(sampleSum(samples, 'replibot_outbox_depth')).toBe(3);
    expect(sampleSum(samples, 'replibot_outbox_oldest_age_seconds')).toBe(90);
    expect(sampleSum(samples, 'replibot_lease_holder')).toBe(1);
    expect(sampleSum(samples, 'replibot_slack_calls_total', { error: 'other' })).toBe(1);
    pending = 0;
    leader = false;
    samples = parsePrometheusText(await metrics.render());
    expect(sampleSum(samples, 'replibot_outbox_depth')).toBe(0);
    expect(sampleSum(samples, 'replibot_lease_holder')).toBe(0);
  });

  it('gives each process its own registry', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.question('answer');
    expect(sampleSum(parsePrometheusText(await a.render()), 'replibot_questions_total')).toBe(1);
    expect(sampleSum(parsePrometheusText(await b.render()), 'replibot_questions_total')).toBe(0);
  });
});
