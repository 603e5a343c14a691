import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EmJob, refuseJobAction, toEmJobAction, toJobNameFilter } from '../../../src/core/jobs.js';
import { parseEmFilter } from '../../../src/simulator/parse-em-filter.js';
import { hostileText } from '../../fakes/hostile-text.js';

const job: EmJob = {
  id: '1',
  uid: 'urn:veeam:Job:1',
  name: 'SQL Replica',
  type: 'Replica',
  typeWord: 'Replica',
  serverName: 'vbr01',
  scheduleConfigured: true,
  scheduleEnabled: true,
  nextRun: null,
};

describe('job actions', () => {
  it('starts a backup copy job with sync, and pause/resume are the toggle', () => {
    expect(toEmJobAction('start', { type: 'BackupCopy' })).toBe('sync');
    expect(toEmJobAction('start', { type: 'Replica' })).toBe('start');
    expect(toEmJobAction('pause', job)).toBe('toggleScheduleEnabled');
  });

  it('refuses pause and resume when the schedule is already as wanted', () => {
    expect(refuseJobAction('pause', job)).toBeNull();
    expect(refuseJobAction('resume', job)).toMatch(/already enabled/);
    expect(refuseJobAction('pause', { ...job, scheduleEnabled: false })).toMatch(/already paused/);
  });

  it('quotes a job name so it is one comparison whatever it holds', () => {
    fc.assert(
      fc.property(hostileText({ minLength: 1, maxLength: 40 }), (name) => {
        const node = parseEmFilter(toJobNameFilter(name));
        expect(node).toMatchObject({ kind: 'cmp', field: 'Name', op: '==', value: name });
      }),
    );
  });
});
