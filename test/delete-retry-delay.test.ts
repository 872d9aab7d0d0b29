import { deleteRetryDelayMs } from '../workflows/user-lifecycle.js';

const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

test('after a refused delete the entity waits an hour, doubling up to a day, for a grace period of days', () => {
  const grace = 7 * 86_400;
  expect([1, 2, 3, 5, 6, 50].map((failures) => deleteRetryDelayMs(grace, failures))).toEqual([
    HOUR,
    2 * HOUR,
    4 * HOUR,
    16 * HOUR,
    DAY,
    DAY,
  ]);
});

test('a grace period under an hour is the first pause, and never less than a second', () => {
  expect(deleteRetryDelayMs(10, 1)).toBe(10 * SECOND);
  expect(deleteRetryDelayMs(10, 3)).toBe(40 * SECOND);
  expect(deleteRetryDelayMs(0, 1)).toBe(SECOND);
  expect(deleteRetryDelayMs(0.5, 2)).toBe(2 * SECOND);
});
