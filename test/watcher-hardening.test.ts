import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  decideOffboardingUpdate,
  directoryWatcherWorkflowId,
  fullSyncProgressQuery,
  pokeDirectorySignal,
  stopDirectorySignal,
  subscriptionLifecycleSignal,
} from '../contracts/index.js';
import { directoryWatcher } from '../workflows/directory-watcher.js';
import { startDeltaWorld, type DeltaWorld } from './support/delta-world.js';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';
import { until } from './support/until.js';

/** The directory watcher when things go wrong for long: failing full syncs, signals at odd moments, stops. */
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let world: DeltaWorld | undefined;

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflows();
});

afterEach(async () => {
  await world?.stop();
  world = undefined;
});

afterAll(async () => {
  await env?.teardown();
});

async function freshWorld(options: Parameters<typeof startDeltaWorld>[2] = {}) {
  world = await startDeltaWorld(env, bundle, options);
  return world;
}

test('a full sync that keeps failing is retried with a growing backoff, not every interval', async () => {
  const w = await freshWorld();
  // The PBX secret was rotated behind the worker's back: every full sync fails (credentials rejected).
  w.sync.world.pbx.control.rotateClientSecret('rotated-by-an-admin');
  await env.client.workflow.start(directoryWatcher, {
    workflowId: directoryWatcherWorkflowId(w.sync.tenantId),
    taskQueue: w.sync.config.taskQueue,
    args: [{ tenantId: w.sync.tenantId, intervalSeconds: 1 }],
  });
  const observeMs = 25_000;
  const started = Date.now();
  await until(async () => Date.now() - started > observeMs, observeMs + 5_000, 'observed', 1_000);
  const s = await w.status();
  expect(s.lastFullSync?.outcome).toMatch(/^failed: /);
  expect(s.owedFullSync?.failures).toBeGreaterThan(1);
  // Every interval would be one attempt a second or two; backing off from 1 s doubles each time.
  expect(s.fullSyncsStarted).toBeLessThanOrEqual(6);
  const history = await w.watcher().fetchHistory();
  expect(history.events?.length ?? 0).toBeLessThan(150);
}, 120_000);

test('a lifecycle notification in the first workflow task of a continued run is handled, not a failed task', async () => {
  const w = await freshWorld();
  const before = await w.startWatcher();
  await w.watcher().signal(stopDirectorySignal);
  const state = await w.watcher().result();
  // A continued run starts with the state it carries and the signal delivered with its first task.
  const handle = await env.client.workflow.signalWithStart(directoryWatcher, {
    workflowId: directoryWatcherWorkflowId(w.sync.tenantId),
    taskQueue: w.sync.config.taskQueue,
    args: [{ tenantId: w.sync.tenantId, intervalSeconds: 300, state: { ...state, phase: 'waiting' } }],
    signal: subscriptionLifecycleSignal,
    signalArgs: [{ event: 'missed' }],
  });
  await until(async () => (await w.status()).rounds > before.rounds, 30_000, 'a round for the missed event');
  const history = await handle.fetchHistory();
  expect(history.events?.some((e) => e.workflowTaskFailedEventAttributes)).toBe(false);
}, 120_000);

test('a stop is honoured while the full sync the watcher started waits for approval', async () => {
  const w = await freshWorld({ offboarding: { maxCount: 1, maxPercent: 5 } });
  const before = await w.startWatcher();
  for (const user of w.syncedUsers().slice(0, 4)) w.sync.world.graph.control.softDeleteUser(user.id);
  await w.watcher().signal(pokeDirectorySignal);
  await until(async () => (await w.status()).fullSyncsStarted > before.fullSyncsStarted, 30_000, 'full sync');
  const fullSync = env.client.workflow.getHandle((await w.status()).lastFullSync!.workflowId);
  await until(
    async () => (await fullSync.query(fullSyncProgressQuery)).phase === 'awaiting-approval',
    30_000,
    'awaiting approval',
  );
  await w.watcher().signal(stopDirectorySignal);
  const stopped = await w.watcher().result();
  expect(stopped.phase).toBe('stopped');
  expect(stopped.lastFullSync?.outcome).toMatch(/left running/);
  // The held run outlives the watcher and still waits for the operator.
  expect((await fullSync.query(fullSyncProgressQuery)).phase).toBe('awaiting-approval');
  await fullSync.executeUpdate(decideOffboardingUpdate, { args: [{ approved: false, by: 'test' }] });
  await fullSync.result();
}, 120_000);

test('new delta cursors that cannot be taken leave the watcher running and the full sync owed', async () => {
  const w = await freshWorld();
  // Graph refuses the users delta for longer than the baseline activity retries.
  w.sync.world.graph.control.setFaults({ rules: [{ match: '/users/delta', status: 503 }] });
  await env.client.workflow.start(directoryWatcher, {
    workflowId: directoryWatcherWorkflowId(w.sync.tenantId),
    taskQueue: w.sync.config.taskQueue,
    args: [{ tenantId: w.sync.tenantId, intervalSeconds: 1 }],
  });
  await until(
    async () => /taking new delta cursors failed/.test((await w.status()).lastError?.message ?? ''),
    90_000,
    'the baseline failure recorded',
  );
  expect((await w.watcher().describe()).status.name).toBe('RUNNING');
  w.sync.world.graph.control.clearFaults();
  await until(async () => (await w.status()).rounds >= 1, 120_000, 'baselined after the outage');
}, 240_000);
