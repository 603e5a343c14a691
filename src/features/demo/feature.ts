/**
 * The demo feature: when the built-in simulator answers (no VEEAM_URL), the terminal chat gets `fail <vm>`,
 * which makes a replication of that VM fail in the simulator now, so anyone trying replibot sees a live
 * failure alert arrive a few seconds later, the way it would from a real Enterprise Manager.
 */

import type { Feature, FeatureContext } from '../../app/feature.js';
import { eq } from '../../core/filter.js';
import type { ShellCommand } from '../../shell/shell.js';

const DEMO_REASON = (vm: string) =>
  `Processing ${vm} Error: Failed to create VM snapshot. The operation is not allowed in the current state.`;

export function createDemoFeature(ctx: FeatureContext): Feature {
  const { simulator, clock } = ctx;
  if (ctx.mode !== 'shell') return { name: 'demo' };
  if (!simulator) {
    // against a real EM the word is still answered, so nobody reads "fail apache02" as a question
    const demoOnly: ShellCommand = {
      name: 'fail',
      usage: 'fail <vm>',
      description: 'Demo only.',
      hidden: true,
      async run(_args, shell) {
        shell.print(
          '"fail <vm>" is a demo command: it makes a replication fail in the built-in simulator, which answers only when VEEAM_URL is not set. Against Enterprise Manager, real failures print here as they happen; `alerts` shows the poller.',
        );
      },
    };
    return { name: 'demo', shellCommands: [demoOnly] };
  }
  const fail: ShellCommand = {
    name: 'fail',
    usage: 'fail <vm>',
    description:
      'Demo only: make a replication of <vm> fail in the built-in simulator now, to see an alert arrive.',
    async run(args, shell) {
      const vm = args.trim().replace(/^"(.*)"$/, '$1');
      if (vm === '') {
        shell.print('Usage: fail <vm>, for example: fail apache02');
        return;
      }
      // the VM's own job when it has history, so the alert reads like a real one
      let job = 'Demo Replica';
      for await (const task of shell.em.queryTaskSessions({
        filter: eq('VmDisplayName', vm),
        sort: { field: 'CreationTime', direction: 'desc' },
        limit: 1,
      })) {
        job = task.jobName ?? job;
      }
      const now = clock.now().getTime();
      simulator.addTaskSession({
        vm,
        job,
        state: 'Completed',
        result: 'Failed',
        reason: DEMO_REASON(vm),
        creationTime: new Date(now - 4 * 60_000),
        endTime: new Date(now),
      });
      shell.print(
        `The simulator now has a failed replica of ${vm} (job ${job}). The alert poller finds it at its next poll, within about 10 seconds.`,
      );
    },
  };
  return { name: 'demo', shellCommands: [fail] };
}
