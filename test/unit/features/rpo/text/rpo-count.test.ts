import { describe, expect, it } from 'vitest';
import { answerRpoQuestion } from '../../../../../src/features/rpo/answer-rpo.js';
import {
  countRpo,
  type RpoVerdict,
  type VmVerdict,
} from '../../../../../src/features/rpo/domain/evaluate-rpo.js';
import {
  renderRpoCountOf,
  renderRpoDigestSection,
  renderRpoSummaryText,
} from '../../../../../src/features/rpo/text/render-rpo-summary.js';

const H = 3_600_000;
const NOW = new Date('2026-12-02T03:00:00Z');
const judged = (jobName: string, vmName: string, status: VmVerdict['status']): VmVerdict => ({
  jobName,
  vmName,
  serverName: 'vbr01',
  lastGoodAt: new Date(NOW.getTime() - (status === 'outside' ? 30 : 5) * H),
  ageMs: (status === 'outside' ? 30 : 5) * H,
  rpoMs: 24 * H,
  status,
  goneSince: null,
  failedRuns: 0,
  lastReason: null,
});
// apache03 is outside in its backup job and in the copy of it; dc01 is backed up twice, within; web01 is gone
const verdict: RpoVerdict = {
  at: NOW,
  kind: 'backup',
  vms: [
    judged('Nightly', 'apache03', 'outside'),
    judged('Offsite Copy', 'APACHE03', 'outside'),
    judged('Nightly', 'sql01', 'outside'),
    judged('Nightly', 'dc01', 'within'),
    judged('Offsite Copy', 'dc01', 'within'),
    judged('Nightly', 'web01', 'gone'),
  ],
  jobs: [],
};

describe('the RPO count', () => {
  it('counts each machine once (outside when any of its copies is) beside its per-job copies', () => {
    expect(countRpo(verdict)).toEqual({ vms: 3, vmsOutside: 2, copies: 5, copiesOutside: 3 });
  });

  it('says the same count in the answer, the terminal summary, the digest and the App Home', () => {
    const answer = answerRpoQuestion({ kind: 'outside' }, verdict, 'UTC');
    expect(answer.title).toBe(
      '3 backups of 2 VMs outside RPO (1 of 3 VMs within RPO for backups; 2 of 5 backups)',
    );
    expect(renderRpoSummaryText(verdict, { timeZone: 'UTC' }).split('\n')[0]).toBe(
      '1 of 3 VMs within RPO for backups (2 of 5 backups); outside:',
    );
    expect(renderRpoDigestSection(verdict, [], (t) => t).split('\n')[0]).toMatch(
      /^\*Backup RPO:\* 1 of 3 VMs within RPO \(2 of 5 backups\); outside: /,
    );
    expect(renderRpoCountOf(countRpo(verdict), 'backup', { sayKind: false })).toBe(
      '1 of 3 VMs within RPO (2 of 5 backups)',
    );
  });

  it('keeps the short words when every VM is in one job', () => {
    const single: RpoVerdict = { at: NOW, vms: [judged('SQL Replica', 'sql01', 'outside')], jobs: [] };
    expect(answerRpoQuestion({ kind: 'outside' }, single, 'UTC').title).toBe(
      '1 VM outside RPO (0 of 1 VM within RPO)',
    );
  });
});
