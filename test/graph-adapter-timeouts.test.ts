import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { loadWorkerConfig } from '../config/index.js';
import { GraphFailure } from '../contracts/index.js';
import { buildDependencies } from '../worker/dependencies.js';
import { startHarness, type SimHarness } from './support/graph-sim.js';
import { failureOf, until } from './support/until.js';

let h: SimHarness;

beforeAll(async () => {
  h = await startHarness({ users: 30 });
});

afterAll(async () => {
  await h?.stop();
});

afterEach(() => {
  h.sim.control.clearFaults();
});

/** How long `work` took to settle, and its error. */
async function timedFailure(work: () => Promise<unknown>) {
  const started = Date.now();
  const error = await failureOf(work);
  return { error, ms: Date.now() - started };
}

test('a Graph call that does not answer fails as retryable GraphUnavailable after requestTimeoutMs', async () => {
  const source = h.source({ requestTimeoutMs: 300 });
  // A cached token first, so the Graph request is what times out (retried: a busy machine may need longer).
  await until(
    () =>
      source.readUsersPage().then(
        () => true,
        () => false,
      ),
    10_000,
    'a first call in time',
  );
  h.sim.control.setFaults({ latencyMs: 3000 });
  const { error, ms } = await timedFailure(() => source.readUsersPage());
  console.log(`timeout 300 ms against 3000 ms latency: failed after ${ms} ms`);
  expect(error).toBeInstanceOf(ApplicationFailure);
  expect(error).toMatchObject({ type: GraphFailure.Unavailable, nonRetryable: false });
  expect(error.message).toBe('GET /users: timed out after 300 ms');
  expect(ms).toBeGreaterThanOrEqual(290);
  expect(ms).toBeLessThan(1000);
});

test('an abort of the signal rejects the call promptly as an abort, not as a retryable failure', async () => {
  const controller = new AbortController();
  const source = h.source({ signal: () => controller.signal });
  await source.readUsersPage();
  h.sim.control.setFaults({ latencyMs: 3000 });
  setTimeout(() => controller.abort(), 100);
  const { error, ms } = await timedFailure(() => source.readUsersPage());
  console.log(`abort after 100 ms against 3000 ms latency: rejected after ${ms} ms`);
  expect(error).not.toBeInstanceOf(ApplicationFailure);
  expect(error.name).toBe('AbortError');
  expect(ms).toBeLessThan(1000);
});

test('the worker’s Graph source follows the activity’s cancellation', async () => {
  const deps = buildDependencies(
    loadWorkerConfig({
      ENTRA_TENANT_ID: h.sim.tenantId,
      ENTRA_CLIENT_ID: h.sim.defaultApp.clientId,
      ENTRA_CLIENT_SECRET: h.sim.defaultApp.clientSecret,
      ENTRA_AUTHORITY_HOST: h.sim.authorityHost,
      GRAPH_BASE_URL: h.sim.graphBaseUrl,
      GRAPH_CA_FILE: h.sim.caCertPath,
      PBX_BASE_URL: 'https://pbx.invalid',
      PBX_CLIENT_ID: 'unused',
      PBX_CLIENT_SECRET: 'unused',
    }),
  );
  try {
    // Outside an activity there is no cancellation signal: calls just work.
    expect((await deps.graph.readUsersPage()).items).toHaveLength(30);
    h.sim.control.setFaults({ latencyMs: 3000 });
    const activity = new MockActivityEnvironment();
    setTimeout(() => activity.cancel(), 100);
    const { error, ms } = await timedFailure(() => activity.run(() => deps.graph.readUsersPage()));
    expect(error).toBeInstanceOf(CancelledFailure);
    expect(ms).toBeLessThan(1000);
  } finally {
    await deps.close();
  }
});
