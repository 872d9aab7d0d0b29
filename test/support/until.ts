import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `condition` every `intervalMs` until it holds; throws naming `what` after `timeoutMs`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what = 'condition',
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(intervalMs);
  }
}

/** The error `work` rejects with; fails the test when it resolves instead. */
export async function failureOf<E extends Error = Error & Record<string, unknown>>(
  work: Promise<unknown> | (() => Promise<unknown>),
): Promise<E> {
  try {
    await (typeof work === 'function' ? work() : work);
  } catch (error) {
    return error as E;
  }
  throw new Error('expected a failure, but the call succeeded');
}
