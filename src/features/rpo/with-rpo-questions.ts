/**
 * The RPO questions for a front door without the feature's store (`replibot ask`): the same computation from EM
 * alone (no remembered inventory, so no VM is "gone"), RPO_DEFAULT as the policy.
 */
import type { Answerer } from '../../answers/domain/create-answerer.js';
import type { Config } from '../../config.js';
import type { EmApi } from '../../core/ports.js';
import { parseRpoQuestion } from '../../question/rpo-words.js';
import { answerRpoQuestion } from './answer-rpo.js';
import { collectRpo } from './collect-rpo.js';
import { evaluateRpo, mergeInventory } from './domain/evaluate-rpo.js';

export function withRpoQuestions(answerer: Answerer, em: EmApi, rpo: Config['rpo']): Answerer {
  return {
    ...answerer,
    async ask(question, asker, options) {
      const parsed = parseRpoQuestion(question);
      if (parsed === null) return answerer.ask(question, asker, options);
      try {
        const kind = parsed.of ?? 'replication';
        const inputs = await collectRpo(em, options.now, rpo.lookbackDays * 86_400_000, kind);
        const verdict = evaluateRpo({
          now: options.now,
          vms: mergeInventory([], inputs.copies, options.now),
          runs: inputs.runs,
          failures: inputs.failures,
          policy: { defaultMs: rpo.defaultMs, graceMs: rpo.goneGraceMs },
          kind,
        });
        return answerRpoQuestion(parsed, verdict, asker.timeZone);
      } catch (error) {
        return answerer.toErrorReply(error);
      }
    },
  };
}
