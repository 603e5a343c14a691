import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const EM = { VEEAM_URL: 'https://em01:9398', VEEAM_USERNAME: 'svc', VEEAM_PASSWORD: 'pw' };

function problem(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('loadConfig', () => {
  it('reads VEEAM_INSECURE_TLS=true and =false (any case)', () => {
    expect(loadConfig({ ...EM, VEEAM_INSECURE_TLS: 'TRUE' }).veeam?.insecureTls).toBe(true);
    expect(loadConfig({ ...EM, VEEAM_INSECURE_TLS: 'false' }).veeam?.insecureTls).toBe(false);
    expect(loadConfig({ ...EM }).veeam?.insecureTls).toBe(false);
  });

  it.each(['yes', '1', 'on'])(
    'refuses VEEAM_INSECURE_TLS=%s and names the variable and the value',
    (value) => {
      expect(problem({ ...EM, VEEAM_INSECURE_TLS: value })).toContain(
        `VEEAM_INSECURE_TLS must be true or false, not "${value}"`,
      );
    },
  );
  it('bounds EM answers at 64 MB and 2,000 pages unless told otherwise', () => {
    expect(loadConfig(EM).veeam).toMatchObject({ maxResponseMb: 64, maxPages: 2000 });
    expect(loadConfig({ ...EM, VEEAM_MAX_RESPONSE_MB: '8', VEEAM_MAX_PAGES: '50' }).veeam).toMatchObject({
      maxResponseMb: 8,
      maxPages: 50,
    });
  });

  it('names VEEAM_MAX_RESPONSE_MB and VEEAM_MAX_PAGES when they are out of range', () => {
    expect(() => loadConfig({ ...EM, VEEAM_MAX_RESPONSE_MB: '0' })).toThrow(/VEEAM_MAX_RESPONSE_MB/);
    expect(() => loadConfig({ ...EM, VEEAM_MAX_PAGES: 'lots' })).toThrow(/VEEAM_MAX_PAGES/);
  });

  it('refuses a VEEAM_CA_FILE that holds no certificate, naming the variable, and keeps the PEM of one that does', () => {
    const files: Record<string, string> = {
      '/etc/replibot/not-a-cert.pem': 'hello\n',
      '/etc/replibot/em-ca.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    };
    const read = (path: string) => {
      const text = files[path];
      if (text === undefined) throw new Error('ENOENT');
      return text;
    };
    expect(() => loadConfig({ ...EM, VEEAM_CA_FILE: '/etc/replibot/not-a-cert.pem' }, read)).toThrow(
      /VEEAM_CA_FILE: \/etc\/replibot\/not-a-cert.pem holds no PEM certificate/,
    );
    expect(() => loadConfig({ ...EM, VEEAM_CA_FILE: '/nowhere.pem' }, read)).toThrow(
      /VEEAM_CA_FILE: cannot read/,
    );
    expect(loadConfig({ ...EM, VEEAM_CA_FILE: '/etc/replibot/em-ca.pem' }, read).veeam?.caPem).toContain(
      'BEGIN CERTIFICATE',
    );
  });
});
