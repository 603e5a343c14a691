/**
 * Job action buttons that surfaces other than the failure alert show: RPO alerts and answers that show one job
 * ("status of job SQL Replica", a job run's Details). The composition root makes one and hands it to every
 * feature; the job actions feature provides the buttons (only when the action account is set and someone may
 * press them), the RPO watch and the Slack answers ask it. Without a provider every surface shows no button.
 */
import type { Button } from '@slack/types';

export interface JobRef {
  name: string;
  serverName: string | null;
}

export interface JobButtonsWhere {
  /** the channel the message is in: every value is signed for it and refused anywhere else */
  channelId: string;
  /** an answer only this person sees: only the buttons they may press. Absent: a message the channel sees */
  userId?: string;
}

export type JobButtonsProvider = (job: JobRef, where: JobButtonsWhere) => Promise<Button[]>;

export interface JobButtons {
  use(provider: JobButtonsProvider): void;
  /** the buttons for the job now (at most 25, one actions block); none when EM cannot be asked */
  buttonsFor(job: JobRef, where: JobButtonsWhere): Promise<Button[]>;
}

/** Block Kit: an actions block holds at most 25 elements. */
const ACTIONS_MAX = 25;

export function createJobButtons(): JobButtons {
  const providers: JobButtonsProvider[] = [];
  return {
    use: (provider) => {
      providers.push(provider);
    },
    async buttonsFor(job, where) {
      const parts = await Promise.all(providers.map((p) => p(job, where).catch((): Button[] => [])));
      return parts.flat().slice(0, ACTIONS_MAX);
    },
  };
}
