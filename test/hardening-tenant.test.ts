import { randomUUID } from 'node:crypto';
import { expect, test } from '@jest/globals';
import { ActivityFailure, ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { assertTenant } from '../activities/index.js';
import { SyncFailure, TENANT_ID, fullSyncWorkflowId } from '../contracts/index.js';
import { fullSync } from '../workflows/full-sync.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';

/** One worker, one tenant: a run for another tenant on this worker's task queue reads and writes nothing. */
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let world: SyncWorld | undefined;

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflows();
});

afterAll(async () => {
  await world?.stop();
  await env?.teardown();
});

test("a full sync for another tenant on this worker's task queue fails at once, reading and writing nothing", async () => {
  world = await startSyncWorld(env, bundle, { users: 5, seed: 4 });
  const w = world;
  const other = randomUUID();
  await w.withWorker(async () => {
    const graphBefore = w.world.graph.control.counters().total;
    const pbxBefore = w.world.pbx.control.counters();
    const handle = await env.client.workflow.start(fullSync, {
      workflowId: fullSyncWorkflowId(other, new Date().toISOString()),
      taskQueue: w.config.taskQueue,
      args: [{ tenantId: other, dryRun: false }],
      typedSearchAttributes: [{ key: TENANT_ID, value: other }],
    });
    const error: unknown = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const activity = (error as WorkflowFailedError).cause;
    expect(activity).toBeInstanceOf(ActivityFailure);
    expect((activity as ActivityFailure).activityType).toBe('planFullSync');
    const failure = (activity as ActivityFailure).cause;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: SyncFailure.WrongTenant, nonRetryable: true });
    expect(failure?.message).toBe(
      `this worker serves tenant ${w.tenantId}, not ${other}: planFullSync refused ` +
        '(another deployment shares this task queue; give each tenant its own task queue)',
    );
    // Tried once (non-retryable), and neither Graph nor the PBX saw a request.
    const history = await handle.fetchHistory();
    const attempts = (history.events ?? []).filter((e) => e.activityTaskStartedEventAttributes);
    expect(attempts.map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual([1]);
    expect(w.world.graph.control.counters().total).toBe(graphBefore);
    expect(w.world.pbx.control.counters()).toEqual(pbxBefore);
  });
}, 120_000);

test('every activity input naming a tenant is checked; inputs without one pass', () => {
  expect(() => assertTenant('a', 'deltaRound', { tenantId: 'b', cursors: {} })).toThrow(
    /^this worker serves tenant a, not b: deltaRound refused/,
  );
  expect(() => assertTenant('a', 'syncGroups', { tenantId: 'a' })).not.toThrow();
  expect(() => assertTenant('a', 'ensureExtension', { desired: {} })).not.toThrow();
  expect(() => assertTenant('a', 'probeDependency', 'graph')).not.toThrow();
  expect(() => assertTenant('a', 'listDependencies', undefined)).not.toThrow();
});
