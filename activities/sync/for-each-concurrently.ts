/**
 * Runs `task` over `items` with at most `limit` in flight; rejects on the first failure, after which no lane
 * starts another item. With a `signal` (an activity's cancellationSignal), each item starts only while it is
 * not aborted: a cancelled dispatch stops with the signal's reason (a Temporal CancelledFailure) instead of
 * messaging the rest.
 */
export async function forEachConcurrently<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    try {
      while (!failed && next < items.length) {
        signal?.throwIfAborted();
        await task(items[next++]!);
      }
    } catch (error) {
      failed = true;
      throw error;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
