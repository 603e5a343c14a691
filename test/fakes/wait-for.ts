/**
 * The one polling helper of the tests: re-reads `find` until it gives a truthy value and resolves with that
 * value, or rejects after `timeoutMs` saying what it was waiting for. For a state that
 * arrives on its own (a poll, a socket, a child's output); what the test drives itself needs no waiting.
 */
export interface WaitOptions {
  /** default 10 s: a bound for a broken test, never a measurement */
  timeoutMs?: number;
  /** pause between reads; default 10 ms */
  intervalMs?: number;
}

export async function waitFor<T>(
  find: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  what: string,
  options: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const intervalMs = options.intervalMs ?? 10;
  for (;;) {
    const found = await find();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
