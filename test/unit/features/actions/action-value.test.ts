import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeActionValue, encodeActionValue } from '../../../../src/features/actions/slack/action-value.js';

const VALUE = {
  action: 'retry' as const,
  jobUid: 'urn:veeam:Job:5658281f-625e-4627-89dd-d2a0c48be99e',
  channelId: 'C0ALERTS',
  alertId: 12,
};

describe('action values', () => {
  it('reads back what it wrote with the same key', () => {
    expect(decodeActionValue(encodeActionValue(VALUE, 'key'), 'key')).toEqual(VALUE);
  });

  it('refuses another key, and any edit of any part', () => {
    const text = encodeActionValue(VALUE, 'key');
    expect(decodeActionValue(text, 'other')).toBeNull();
    expect(decodeActionValue(text.replace('C0ALERTS', 'C0OTHER'), 'key')).toBeNull();
    expect(decodeActionValue(text.replace('"retry"', '"stop"'), 'key')).toBeNull();
    expect(decodeActionValue(text.replace('"12"', '"13"'), 'key')).toBeNull();
  });

  it('refuses every value it did not write', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        expect(decodeActionValue(text, 'key')).toBeNull();
      }),
    );
  });
});
