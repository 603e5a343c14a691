import { describe, expect, it } from 'vitest';
import { checkAccess } from '../../../src/slack/access.js';

const open = { allowedChannelIds: [], allowedUserIds: [], adminUserIds: [] };

describe('checkAccess', () => {
  it('lets everyone in everywhere when no list is set', () => {
    expect(checkAccess(open, 'U1', 'C1')).toEqual({ allowed: true });
    expect(checkAccess(open, 'U1', 'D1')).toEqual({ allowed: true });
  });

  it('refuses a user outside ALLOWED_USER_IDS and lets admins in', () => {
    const policy = { ...open, allowedUserIds: ['U1'], adminUserIds: ['U9'] };
    expect(checkAccess(policy, 'U2', 'C1')).toEqual({ allowed: false, reason: 'user' });
    expect(checkAccess(policy, 'U9', 'C1')).toEqual({ allowed: true });
  });

  it('answers only in ALLOWED_CHANNEL_IDS, and in DMs only for users named in a list', () => {
    const policy = { ...open, allowedChannelIds: ['C1'], allowedUserIds: ['U1'] };
    expect(checkAccess(policy, 'U1', 'C1')).toEqual({ allowed: true });
    expect(checkAccess(policy, 'U1', 'C2')).toEqual({ allowed: false, reason: 'channel' });
    expect(checkAccess(policy, 'U1', 'D1')).toEqual({ allowed: true });
    expect(checkAccess({ ...open, allowedChannelIds: ['C1'] }, 'U1', 'D1')).toEqual({
      allowed: false,
      reason: 'channel',
    });
  });

  it('lets only ADMIN_USER_IDS change things when it is set, and everyone allowed when it is empty', () => {
    const policy = { ...open, adminUserIds: ['U9'] };
    expect(checkAccess(policy, 'U1', 'C1', 'use')).toEqual({ allowed: true });
    expect(checkAccess(policy, 'U1', 'C1', 'change')).toEqual({ allowed: false, reason: 'admin' });
    expect(checkAccess(policy, 'U9', 'C1', 'change')).toEqual({ allowed: true });
    expect(checkAccess(open, 'U1', 'C1', 'change')).toEqual({ allowed: true });
  });

  it('checks who and where before admin rights', () => {
    const policy = { ...open, allowedChannelIds: ['C1'], adminUserIds: ['U9'] };
    expect(checkAccess(policy, 'U9', 'C2', 'change')).toEqual({ allowed: false, reason: 'channel' });
  });
});
