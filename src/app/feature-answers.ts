/**
 * The one answerer every front door uses, with the features' own questions first: a feature's `answer` (the RPO
 * watch: "is apache02 protected") is asked before the session router and answers, or says null and the
 * question goes on as before.
 */
import type { Answerer } from '../answers/domain/create-answerer.js';
import type { DigestSections, Feature } from './feature.js';

/** The registry behind FeatureContext.digestSections. */
export function createDigestSections(): DigestSections {
  const sources: Array<Parameters<DigestSections['add']>[0]> = [];
  return {
    add: (source) => {
      sources.push(source);
    },
    async collect(period, filters) {
      const out: string[] = [];
      for (const source of sources) {
        const section = await source(period, filters).catch(() => null);
        if (section !== null && section !== '') out.push(section);
      }
      return out;
    },
  };
}

export function withFeatureAnswers(answerer: Answerer, features: () => readonly Feature[]): Answerer {
  return {
    ...answerer,
    async ask(question, asker, options) {
      for (const feature of features()) {
        if (!feature.answer) continue;
        try {
          const reply = await feature.answer(question, asker, options.now);
          if (reply !== null) return reply;
        } catch (error) {
          return answerer.toErrorReply(error);
        }
      }
      return answerer.ask(question, asker, options);
    },
  };
}
