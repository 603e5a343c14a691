/**
 * Who may ask. Empty lists mean everyone. A DM (or the App Home) is not a channel anyone chose, so when
 * ALLOWED_CHANNEL_IDS is set a DM is allowed only to users named in ALLOWED_USER_IDS or ADMIN_USER_IDS.
 */
export interface AccessPolicy {
  allowedChannelIds: readonly string[];
  allowedUserIds: readonly string[];
  adminUserIds: readonly string[];
}

export type AccessDecision = { allowed: true } | { allowed: false; reason: 'user' | 'channel' };

export function checkAccess(policy: AccessPolicy, userId: string, channelId: string | null): AccessDecision {
  const named = policy.allowedUserIds.includes(userId) || policy.adminUserIds.includes(userId);
  if (policy.allowedUserIds.length > 0 && !named) return { allowed: false, reason: 'user' };
  if (policy.allowedChannelIds.length === 0) return { allowed: true };
  if (channelId !== null && policy.allowedChannelIds.includes(channelId)) return { allowed: true };
  const isDirect = channelId === null || channelId.startsWith('D');
  if (isDirect && named) return { allowed: true };
  return { allowed: false, reason: 'channel' };
}
