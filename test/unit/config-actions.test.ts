import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const BASE = { VEEAM_URL: 'https://em.example.local:9398', VEEAM_USERNAME: 'reader', VEEAM_PASSWORD: 'r' };

describe('loadConfig: job actions', () => {
  it('has no actions without VEEAM_ACTION_USERNAME', () => {
    expect(loadConfig(BASE).actions).toBeUndefined();
  });

  it('reads the action account, its password file and ACTION_USER_IDS', () => {
    const config = loadConfig(
      {
        ...BASE,
        VEEAM_ACTION_USERNAME: 'DOMAIN\\svc-actions',
        VEEAM_ACTION_PASSWORD_FILE: '/run/secrets/action',
        ACTION_USER_IDS: 'retry:U0AAA;stop:U0BBB',
      },
      (path) => (path === '/run/secrets/action' ? 'secret-pass\n' : ''),
    );
    expect(config.actions).toMatchObject({
      username: 'DOMAIN\\svc-actions',
      password: 'secret-pass',
      followHours: 6,
    });
    expect(config.actions?.permissions.retry).toEqual(['U0AAA']);
    expect(config.actions?.permissions.start).toEqual([]);
  });

  it('names each problem and never the password', () => {
    let message = '';
    try {
      loadConfig({ ...BASE, VEEAM_ACTION_PASSWORD: 'hunter2-secret', ACTION_USER_IDS: 'failover:U0AAA' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('VEEAM_ACTION_USERNAME must be set');
    expect(message).toContain('"failover" is not an action');
    expect(message).not.toContain('hunter2-secret');
  });
});
