import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';

const base = { VEEAM_URL: 'https://em.example.local:9398', VEEAM_USERNAME: 'svc', VEEAM_PASSWORD: 'pw' };

describe('loadConfig', () => {
  it('bounds EM answers at 64 MB and 2,000 pages unless told otherwise', () => {
    expect(loadConfig(base).veeam).toMatchObject({ maxResponseMb: 64, maxPages: 2000 });
    expect(loadConfig({ ...base, VEEAM_MAX_RESPONSE_MB: '8', VEEAM_MAX_PAGES: '50' }).veeam).toMatchObject({
      maxResponseMb: 8,
      maxPages: 50,
    });
  });

  it('names VEEAM_MAX_RESPONSE_MB and VEEAM_MAX_PAGES when they are out of range', () => {
    expect(() => loadConfig({ ...base, VEEAM_MAX_RESPONSE_MB: '0' })).toThrow(/VEEAM_MAX_RESPONSE_MB/);
    expect(() => loadConfig({ ...base, VEEAM_MAX_PAGES: 'lots' })).toThrow(/VEEAM_MAX_PAGES/);
  });
});
