import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { isObject, isRecord } from '../../../src/core/is-record.js';
import { listeningPort } from '../../../src/core/listening-port.js';

describe('isRecord', () => {
  it('accepts plain objects and refuses null, arrays and primitives', () => {
    expect(isRecord({ a: 1 })).toBe(true);
    expect(isRecord(new Error('x'))).toBe(true);
    for (const v of [null, undefined, [], [1], 'x', 1, true]) expect(isRecord(v)).toBe(false);
  });
});

describe('isObject', () => {
  it('accepts arrays too, and refuses null and primitives', () => {
    expect(isObject([])).toBe(true);
    expect(isObject({})).toBe(true);
    for (const v of [null, undefined, 'x', 1]) expect(isObject(v)).toBe(false);
  });
});

describe('listeningPort', () => {
  it('reads the port of a listening server and refuses one that is not listening', async () => {
    const server = createServer();
    expect(() => listeningPort(server)).toThrow('not listening on a TCP port');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      expect(listeningPort(server)).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
