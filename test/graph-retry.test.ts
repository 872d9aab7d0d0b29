import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker, bundleWorkflowCode } from '@temporalio/worker';
import type { GraphRetryActivities } from './support/graph-retry-workflow.js';
import { startHarness, type SimHarness } from './support/graph-sim.js';
import { connectTestEnv, uniqueTaskQueue } from './support/temporal.js';

let env: TestWorkflowEnvironment;
let h: SimHarness;

beforeAll(async () => {
  [env, h] = await Promise.all([connectTestEnv(), startHarness({ users: 50 })]);
});

afterAll(async () => {
  await h?.stop();
  await env?.teardown();
});

test('a 429 is retried by Temporal after exactly the server’s Retry-After (nextRetryDelay)', async () => {
  const source = h.source();
  const activities: GraphRetryActivities = {
    countFirstUsersPage: async () => (await source.readUsersPage()).items.length,
  };
  const taskQueue = uniqueTaskQueue('graph-retry');
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    activities,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./support/graph-retry-workflow.ts', import.meta.url)),
      logger: new DefaultLogger('ERROR'),
    }),
  });
  h.sim.control.setFaults({ rules: [{ match: 'GET /users', status: 429, retryAfterSeconds: 2, times: 1 }] });
  h.sim.control.resetCounters();

  const count = await worker.runUntil(
    env.client.workflow.execute('graphReadWithRetry', {
      taskQueue,
      workflowId: uniqueTaskQueue('graph-retry-wf'),
    }),
  );

  expect(count).toBe(50);
  const attempts = h.sim.control.counters().recent.filter((r) => r.endpoint === 'GET /users');
  expect(attempts.map((a) => a.status)).toEqual([429, 200]);
  const gap = (attempts[1]?.at ?? 0) - (attempts[0]?.at ?? 0);
  expect(gap).toBeGreaterThanOrEqual(1950);
  // Far below the next exponential step a client ignoring Retry-After would take: the server's delay was used.
  expect(gap).toBeLessThan(10_000);
});
