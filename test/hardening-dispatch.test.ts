import { describe, expect, it } from '@jest/globals';
import { CancelledFailure } from '@temporalio/common';
import { forEachConcurrently } from '../activities/sync/for-each-concurrently.js';

/** The dispatch loops stop at a cancellation (the activity's cancellationSignal) and at the first failure. */
describe('forEachConcurrently', () => {
  const items = Array.from({ length: 20 }, (_, i) => i);

  it('starts nothing when the signal is already aborted, and rejects with its reason', async () => {
    const controller = new AbortController();
    controller.abort(new CancelledFailure('CANCELLED'));
    const done: number[] = [];
    await expect(
      forEachConcurrently(items, 4, async (item) => void done.push(item), controller.signal),
    ).rejects.toBeInstanceOf(CancelledFailure);
    expect(done).toEqual([]);
  });

  it('starts no further item once the signal aborts mid-way', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const run = forEachConcurrently(
      items,
      2,
      async (item) => {
        started.push(item);
        if (item === 5) controller.abort(new CancelledFailure('CANCELLED'));
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
      controller.signal,
    );
    await expect(run).rejects.toBeInstanceOf(CancelledFailure);
    // Item 5 and the one in flight beside it; nothing after the abort.
    expect(started.length).toBeLessThanOrEqual(7);
    expect(Math.max(...started)).toBeLessThanOrEqual(6);
  });

  it('runs every item with at most `limit` in flight when not cancelled', async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachConcurrently(
      items,
      3,
      async (item) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
        done.push(item);
      },
      new AbortController().signal,
    );
    expect(done.sort((a, b) => a - b)).toEqual(items);
    expect(peak).toBe(3);
  });

  it('starts no further item after the first failure', async () => {
    const started: number[] = [];
    await expect(
      forEachConcurrently(items, 3, async (item) => {
        started.push(item);
        await new Promise((resolve) => setTimeout(resolve, 2));
        if (item === 1) throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(started.length).toBeLessThanOrEqual(5);
  });
});
