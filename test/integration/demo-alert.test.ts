/**
 * The no-Slack demo end to end: `startReplibot` with a clean environment runs the built-in simulator and the
 * terminal chat; `fail <vm>` makes a replication fail in the simulator and the real alert poller prints the alert
 * into the chat. The test drives the poll and the delivery pass (the alerts service runs without timers).
 */
import { PassThrough, Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { FeatureFactory } from '../../src/app/feature.js';
import type { AlertService } from '../../src/features/alerts/alert-service.js';
import { createAlertsFeature } from '../../src/features/alerts/feature.js';
import { FEATURES, type RunningReplibot, startReplibot } from '../../src/main.js';
import { startSimulator } from '../../src/simulator/index.js';
import { waitFor } from '../fakes/wait-for.js';

/** FEATURES with the alerts service left unstarted, so the test can drive its passes. */
function withDrivenAlerts(): { features: FeatureFactory[]; service: () => AlertService } {
  let service: AlertService | undefined;
  const alerts: FeatureFactory = async (ctx) => {
    const feature = await createAlertsFeature(ctx);
    service = feature.service;
    // neither started by the process nor by its leadership: the test drives every pass
    return { ...feature, services: [], leaderServices: [] };
  };
  return {
    features: FEATURES.map((f) => (f === createAlertsFeature ? alerts : f)),
    service: () => {
      if (service === undefined) throw new Error('the alerts feature was not created');
      return service;
    },
  };
}

function collect(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

let running: RunningReplibot | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

describe('the terminal demo', () => {
  it('prints a failure alert after "fail <vm>"', async () => {
    const input = new PassThrough();
    const output = collect();
    const alerts = withDrivenAlerts();
    running = await startReplibot({
      env: { DEFAULT_TIMEZONE: 'UTC' },
      input,
      output: output.stream,
      errorOutput: collect().stream,
      isTTY: false,
      features: alerts.features,
    });
    expect(running.simulatorUrl).toBeDefined();
    expect((await alerts.service().poller.pollOnce()).ok).toBe(true);
    input.write('fail ubuntu88\n');
    // the terminal chat answers the command; nothing is alerted until the next poll
    await waitFor(
      () => output.text().includes('The simulator now has a failed replica of ubuntu88'),
      'the answer to "fail ubuntu88"',
      { timeoutMs: 20_000 },
    );
    expect(output.text()).not.toMatch(/Replication job .+: 1 VM failed/);
    expect((await alerts.service().poller.pollOnce()).alerts).toBe(1);
    await alerts.service().outbox.drain();
    expect(output.text()).toMatch(/Replication job .+: 1 VM failed/);
    const alert = output.text().slice(output.text().indexOf('The simulator now has'));
    expect(alert).toContain('ubuntu88: Processing ubuntu88 Error: Failed to create VM snapshot');
    expect(alert).toContain('Replication Job 1');
  });

  it('says that the Slack-only commands work in a Slack channel, and what the terminal offers instead', async () => {
    const input = new PassThrough();
    const output = collect();
    running = await startReplibot({
      env: { DEFAULT_TIMEZONE: 'UTC' },
      input,
      output: output.stream,
      errorOutput: collect().stream,
      isTTY: false,
      features: withDrivenAlerts().features,
    });
    input.end(
      'subscribe server srv02\nmutes\nunmute 1\nsubscriptions\ndigest daily 08:00\ndigests\nsubscribe rpo 4h job "SQL Replica"\nrpo subscriptions\nrpo 4h\nalerts now\nhelp\n',
    );
    await running.done;
    const answers = output
      .text()
      .split('\n> ')
      .slice(1)
      .map((block) => block.trim());
    const answerTo = (line: string) => answers.find((a) => a.startsWith(`${line}\n`)) ?? '';
    expect(answerTo('subscribe server srv02')).toContain(
      '"subscribe server srv02" is Slack only: in a Slack channel, type /replicas subscribe server srv02 (/replicas subscribe [backups] [failed|warnings]',
    );
    expect(answerTo('subscribe server srv02')).toContain(
      'every replication and backup failure (and every RPO alert) is printed here as it happens',
    );
    expect(answerTo('mutes')).toContain(
      '"mutes" is Slack only: in a Slack channel, type /replicas mutes. In the terminal',
    );
    expect(answerTo('unmute 1')).toContain(
      '"unmute 1" is Slack only: in a Slack channel, type /replicas unmute 1',
    );
    expect(answerTo('subscriptions')).toContain('"subscriptions" is Slack only');
    expect(answerTo('digest daily 08:00')).toContain(
      'Scheduled digests post to a Slack channel: /replicas digest daily 08:00 there. Here, `digest daily`',
    );
    expect(answerTo('digests')).toContain('"digests" is Slack only');
    // a word two features use: the RPO one answers for `subscribe rpo ...`
    expect(answerTo('subscribe rpo 4h job "SQL Replica"')).toContain(
      '"subscribe rpo 4h job "SQL Replica"" is Slack only',
    );
    expect(answerTo('subscribe rpo 4h job "SQL Replica"')).toContain(
      'RPO alerts print here with RPO_DEFAULT',
    );
    // `rpo` takes nothing after it in the terminal: `rpo subscriptions` is the Slack subcommand, not the status
    expect(answerTo('rpo subscriptions')).toContain(
      '"rpo subscriptions" is Slack only: in a Slack channel, type /replicas rpo subscriptions (/replicas rpo [replicas | backups | subscriptions | unsubscribe <n>]). Here, type "rpo" (or "rpo backups"): which VMs are outside their RPO',
    );
    expect(answerTo('rpo subscriptions')).not.toMatch(/VMs within RPO/);
    // words that are neither a kind nor a Slack subcommand: not understood, never the status with them ignored
    expect(answerTo('rpo 4h')).toContain('I did not understand "rpo 4h"');
    expect(answerTo('rpo 4h')).not.toMatch(/VMs within RPO|Slack only/);
    expect(answerTo('alerts now')).toContain(
      '"alerts" takes nothing after it here. Here, type "alerts" alone',
    );
    for (const line of ['subscribe server srv02', 'mutes', 'digest daily 08:00', 'rpo subscriptions'])
      expect(answerTo(line)).not.toMatch(/did not understand|not understood|Try:/i);
    // help lists what the terminal does, not the Slack-only words
    expect(answerTo('help')).not.toContain('unmute');
  });

  it('prints a backup failure alert in the terminal, in the style of a replication one', async () => {
    const sim = await startSimulator({ seed: 3, data: { taskSessions: 0 } });
    try {
      const input = new PassThrough();
      const output = collect();
      const alerts = withDrivenAlerts();
      running = await startReplibot({
        env: {
          VEEAM_URL: sim.url,
          VEEAM_USERNAME: 'replibot',
          VEEAM_PASSWORD: 'replibot',
          DEFAULT_TIMEZONE: 'UTC',
          DATABASE_PATH: ':memory:',
        },
        input,
        output: output.stream,
        errorOutput: collect().stream,
        isTTY: false,
        features: alerts.features,
      });
      expect((await alerts.service().backupPoller.pollOnce()).ok).toBe(true);
      const run = sim.addBackupTaskSession({
        vm: 'apache03',
        job: 'Nightly',
        result: 'Failed',
        reason: 'Processing apache03 Error: Failed to create VM snapshot.',
        endTime: new Date(),
      });
      sim.addBackupTaskSession({
        vm: 'srv04',
        job: 'Agent Backup Servers',
        jobType: 'AgentBackup',
        result: 'Failed',
        reason: 'Agent offline',
        endTime: new Date(),
      });
      const polled = await alerts.service().backupPoller.pollOnce();
      expect(polled.alerts).toBe(2);
      // nothing from the replication poller: these are backup sessions
      expect((await alerts.service().poller.pollOnce()).alerts).toBe(0);
      await alerts.service().outbox.drain();
      expect(output.text()).toContain('🔴 Backup job Nightly: 1 VM failed');
      expect(output.text()).toContain('• apache03: Processing apache03 Error: Failed to create VM snapshot.');
      expect(output.text()).toContain('🔴 Agent backup job Agent Backup Servers: 1 VM failed');
      expect(run.jobSessionUid).toMatch(/^urn:veeam:BackupJobSession:/);
      input.end('alerts\n');
      await running.done;
      expect(output.text()).toContain('Backup sessions: last successful poll');
    } finally {
      await running?.stop();
      await sim.close();
    }
  });

  it('watches the RPO of backups as well as of replicas: a backup outside its RPO prints here', async () => {
    const input = new PassThrough();
    const output = collect();
    const alerts = withDrivenAlerts();
    running = await startReplibot({
      env: { DEFAULT_TIMEZONE: 'UTC' },
      input,
      output: output.stream,
      errorOutput: collect().stream,
      isTTY: false,
      features: alerts.features,
    });
    // the RPO watch's first evaluation runs at the start; its notices go through the alerts' outbox
    await waitFor(
      async () => {
        await alerts.service().outbox.drain();
        return output.text().includes('Backups outside RPO');
      },
      'a backup RPO alert in the terminal',
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(output.text()).toMatch(/Backups outside RPO: \S/);
    expect(output.text()).toContain('last restore point');
  });

  it('has no fail command against a real Enterprise Manager, and says fail is a demo command', async () => {
    const sim = await startSimulator({ data: { taskSessions: 100 } });
    try {
      const input = new PassThrough();
      const output = collect();
      running = await startReplibot({
        env: {
          VEEAM_URL: sim.url,
          VEEAM_USERNAME: 'replibot',
          VEEAM_PASSWORD: 'replibot',
          DEFAULT_TIMEZONE: 'UTC',
          DATABASE_PATH: ':memory:',
        },
        input,
        output: output.stream,
        errorOutput: collect().stream,
        isTTY: false,
      });
      expect(running.simulatorUrl).toBeUndefined();
      input.end('help\nfail apache02\n');
      await running.done;
      const [help = '', fail = ''] = output.text().split('\n> fail apache02');
      expect(help).toContain('details <n>');
      expect(help).not.toContain('fail <vm>');
      expect(fail).toContain('"fail <vm>" is a demo command');
      expect(fail).toContain('only when VEEAM_URL is not set');
      expect(output.text()).not.toContain('The simulator now has');
    } finally {
      await running?.stop();
      await sim.close();
    }
  });
});
