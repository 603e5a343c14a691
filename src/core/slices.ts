/**
 * Long CPU work written as a generator that yields between slices: `runToEnd` runs it in one go (pure callers,
 * tests), `runInSlices` gives the event loop a turn at each yield, through `pause`, so acks and timers are
 * not held up behind it. Pure: the caller brings the pause (`yieldToEventLoop` in src/app/work-queue.ts).
 */
export function runToEnd<T>(steps: Generator<unknown, T, void>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

export async function runInSlices<T>(
  steps: Generator<unknown, T, void>,
  pause: () => Promise<unknown>,
): Promise<T> {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await pause();
  }
}
