/**
 * Who may do what, where: the one check every slash command, mention, DM and button goes through.
 *
 * - ALLOWED_USER_IDS (empty: everyone) and ALLOWED_CHANNEL_IDS (empty: every channel) decide who may ask and
 *   press buttons at all. A DM (or the App Home) is not a channel anyone chose, so when ALLOWED_CHANNEL_IDS is
 *   set a DM is allowed only to users named in ALLOWED_USER_IDS or ADMIN_USER_IDS.
 * - A change (ack, mute, unmute, subscribe, digest ...) also needs ADMIN_USER_IDS when it is set.
 */
export interface AccessPolicy {
  allowedChannelIds: readonly string[];
  allowedUserIds: readonly string[];
  adminUserIds: readonly string[];
}

/** `use`: ask, page, show details; `change`: anything that writes (ack, mute, subscribe ...). */
export type AccessNeed = 'use' | 'change';

export type AccessRefusal = 'user' | 'channel' | 'admin';

export type AccessDecision = { allowed: true } | { allowed: false; reason: AccessRefusal };

export function toAccessPolicy(config: AccessPolicy): AccessPolicy {
  return {
    allowedChannelIds: config.allowedChannelIds,
    allowedUserIds: config.allowedUserIds,
    adminUserIds: config.adminUserIds,
  };
}

/** An empty ADMIN_USER_IDS makes everyone who may use replibot an admin. */
export function isAdmin(adminUserIds: readonly string[], userId: string): boolean {
  return adminUserIds.length === 0 || adminUserIds.includes(userId);
}

export function checkAccess(
  policy: AccessPolicy,
  userId: string,
  channelId: string | null,
  need: AccessNeed = 'use',
): AccessDecision {
  const named = policy.allowedUserIds.includes(userId) || policy.adminUserIds.includes(userId);
  if (policy.allowedUserIds.length > 0 && !named) return { allowed: false, reason: 'user' };
  if (policy.allowedChannelIds.length > 0) {
    const listed = channelId !== null && policy.allowedChannelIds.includes(channelId);
    const isDirect = channelId === null || channelId.startsWith('D');
    if (!listed && !(isDirect && named)) return { allowed: false, reason: 'channel' };
  }
  if (need === 'change' && !isAdmin(policy.adminUserIds, userId)) return { allowed: false, reason: 'admin' };
  return { allowed: true };
}
