/**
 * Who may act on jobs (pure): `ACTION_USER_IDS`, read here, names per action the Slack users (`U...`, `W...`)
 * and user groups (`S...`) who may press it:
 *
 *   ACTION_USER_IDS="retry,start:U0AAA,S0OPS;stop,pause,resume:U0BBB"   or   ACTION_USER_IDS="*:U0AAA,U0BBB"
 *
 * Groups of `actions:ids` are separated by `;`; actions and ids by `,`; `*` is every action. An action named
 * nowhere may be pressed by nobody, and an empty ACTION_USER_IDS turns actions off. EM's roles cannot say
 * "retry only" (a Portal Administrator may do everything), so this list is replibot's own decision.
 */
import { isJobAction, JOB_ACTIONS, type JobAction } from './jobs.js';

export type ActionPermissions = Readonly<Record<JobAction, readonly string[]>>;

export const NO_ACTION_PERMISSIONS: ActionPermissions = {
  retry: [],
  start: [],
  stop: [],
  pause: [],
  resume: [],
};

const ID = /^[UWS][A-Z0-9]{2,}$/;

/** The permissions, or the problems (each a sentence naming ACTION_USER_IDS). */
export function parseActionPermissions(
  text: string,
): { ok: true; permissions: ActionPermissions } | { ok: false; problems: string[] } {
  const out: Record<JobAction, string[]> = { retry: [], start: [], stop: [], pause: [], resume: [] };
  const problems: string[] = [];
  for (const group of text.split(';')) {
    if (group.trim() === '') continue;
    const colon = group.indexOf(':');
    if (colon === -1) {
      problems.push(
        `ACTION_USER_IDS: "${group.trim().slice(0, 60)}" has no ':' (write actions:ids, such as retry,start:U0123ABCD)`,
      );
      continue;
    }
    const words = group
      .slice(0, colon)
      .split(',')
      .map((w) => w.trim().toLowerCase())
      .filter(Boolean);
    const ids = group
      .slice(colon + 1)
      .split(/[\s,]+/)
      .map((w) => w.trim())
      .filter(Boolean);
    const actions: JobAction[] = [];
    for (const word of words) {
      if (word === '*') actions.push(...JOB_ACTIONS);
      else if (isJobAction(word)) actions.push(word);
      else
        problems.push(
          `ACTION_USER_IDS: "${word.slice(0, 30)}" is not an action (use ${JOB_ACTIONS.join(', ')} or *)`,
        );
    }
    if (words.length === 0) problems.push('ACTION_USER_IDS: a group names no action before its ":"');
    const bad = ids.filter((id) => !ID.test(id));
    if (bad.length > 0)
      problems.push(
        `ACTION_USER_IDS: ${bad
          .slice(0, 3)
          .map((b) => `"${b.slice(0, 30)}"`)
          .join(', ')} is not a Slack user id (U...) or user group id (S...)`,
      );
    if (ids.length === 0) problems.push('ACTION_USER_IDS: a group names no user after its ":"');
    for (const action of actions) for (const id of ids) if (!out[action].includes(id)) out[action].push(id);
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, permissions: out };
}

export function hasAnyActionUser(permissions: ActionPermissions): boolean {
  return JOB_ACTIONS.some((a) => permissions[a].length > 0);
}

/**
 * Whether `userId` may press `action`: named directly, or a member of a named user group (`groupsOf` gives the
 * groups among `groupIds` the user is in; the caller looks them up in Slack).
 */
export function mayAct(
  permissions: ActionPermissions,
  action: JobAction,
  userId: string,
  memberOf: readonly string[],
): boolean {
  const named = permissions[action];
  return named.includes(userId) || memberOf.some((group) => named.includes(group));
}

/** The user groups named anywhere (the ones worth looking up). */
export function namedGroups(permissions: ActionPermissions): string[] {
  return [...new Set(JOB_ACTIONS.flatMap((a) => permissions[a].filter((id) => id.startsWith('S'))))];
}

/** Everyone and every group named for any action (the audit's readers when ADMIN_USER_IDS is empty). */
export function allActionUsers(permissions: ActionPermissions): string[] {
  return [...new Set(JOB_ACTIONS.flatMap((a) => permissions[a]))];
}
