import { CancelledFailure, type ApplicationFailure } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { PbxFailure } from '../contracts/index.js';
import { failureOf } from './support/until.js';
import { startHarness, type SimHarness } from './support/yeastar-harness.js';

/** Every PBX call ends: a timeout bounds it, and the activity's cancellation aborts it at once. */

let h: SimHarness;
afterEach(() => h.stop());

const person = { number: '3001', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@contoso.com' };

test('a cancelled activity aborts the PBX request at once, rethrows the cancellation and does not retry', async () => {
  h = await startHarness();
  let controller = new AbortController();
  const dir = h.directory({ signal: () => controller.signal });
  const { id } = await dir.createExtension(person);
  h.sim.control.configure({ latencyMs: 2_000 });
  h.sim.control.resetCounters();

  const cancelled = new CancelledFailure('CANCELLED');
  const started = Date.now();
  setTimeout(() => controller.abort(cancelled), 100);
  const error = await failureOf(dir.updateExtension(id, { firstName: 'Augusta' }));
  const elapsed = Date.now() - started;
  console.log(`aborted extension/update rejected after ${elapsed} ms`);
  expect(elapsed).toBeLessThan(500);
  expect(error).toBe(cancelled);

  await sleep(2_500);
  expect(h.sim.control.counters()['extension/update']).toBe(1);

  controller = new AbortController();
  setTimeout(() => controller.abort(), 100);
  await expect(dir.getExtension(id)).rejects.toMatchObject({ name: 'AbortError' });
});

test('a PBX that does not answer in requestTimeoutMs is a retryable PbxUnavailable, the login included', async () => {
  h = await startHarness({ latencyMs: 2_000 });
  const dir = h.directory({ requestTimeoutMs: 300 });
  const started = Date.now();
  const f = await failureOf<ApplicationFailure>(dir.getExtension('1'));
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(f).toMatchObject({ type: PbxFailure.Unavailable, nonRetryable: false });
  expect(f.message).toContain('get_token failed: network error ETIMEDOUT');
  await sleep(2_000); // the simulator is still answering the abandoned login
});
