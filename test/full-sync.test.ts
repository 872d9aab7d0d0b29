import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { expectedSyncedUsers } from '../harness/expected-directory.js';
import { expectExactPbxState, pbxWrites } from './support/pbx-expectations.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';

const USERS = Number(process.env.SYNC_TEST_USERS ?? 2000);

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sync: SyncWorld;

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflows();
  sync = await startSyncWorld(env, bundle, { users: USERS });
});

afterAll(async () => {
  await sync?.stop();
  await env?.teardown();
});

const writes = () => pbxWrites(sync.world.pbx.control.counters());

test(`a ${USERS}-user tenant: dry run writes nothing, the sync completes, a re-sync writes nothing`, async () => {
  // Who should sync, from the simulator's own directory (guests included: the default scope is everyone).
  const expected = expectedSyncedUsers(sync.world.graph.control.listUsers());
  expect(expected.length).toBeGreaterThan(USERS * 0.8);
  expect(expected.some((u) => u.userType === 'Guest')).toBe(true);

  sync.world.pbx.control.resetCounters();
  const dryRun = await sync.runFullSync({ dryRun: true });
  expect(dryRun.phase).toBe('done');
  expect(dryRun.plan!.counts.creates).toBe(expected.length);
  expect(writes()).toEqual({});

  const first = await sync.runFullSync();
  expect(first.plan!.counts.creates).toBe(expected.length);
  // Users with bad input are messaged too: their entity records the reason for `user show` and the UI.
  const { errors } = first.plan!.counts;
  expect(errors).toBeGreaterThan(0);
  expect(first.convergence).toMatchObject({
    expected: expected.length + errors,
    applied: expected.length + errors,
    unconfirmed: 0,
  });
  await expectExactPbxState(sync, env.client);

  sync.world.pbx.control.resetCounters();
  const second = await sync.runFullSync();
  expect(second.plan!.counts).toMatchObject({
    creates: 0,
    updates: 0,
    disables: 0,
    deletes: 0,
    unchanged: expected.length,
  });
  expect(second.convergence).toMatchObject({ expected: 0, applied: 0 });
  expect(writes()).toEqual({});
}, 900_000);
