import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';

const USERS = Number(process.env.SYNC_TEST_USERS ?? 2000);
const WRITE_ENDPOINT =
  /extension\/(create|update|delete)|send_welcome_email|organization\/(create|update|delete)/;

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

const pbxWrites = () =>
  Object.entries(sync.world.pbx.control.counters())
    .filter(([endpoint]) => WRITE_ENDPOINT.test(endpoint))
    .reduce((sum, [, count]) => sum + count, 0);

test(`a ${USERS}-user tenant: dry run writes nothing, the sync completes, a re-sync writes nothing`, async () => {
  const dryRun = await sync.runFullSync({ dryRun: true });
  expect(dryRun.phase).toBe('done');
  expect(dryRun.plan!.counts.creates).toBeGreaterThan(USERS * 0.8);
  expect(pbxWrites()).toBe(0);
  expect(sync.world.pbx.control.state().extensions).toHaveLength(0);

  const first = await sync.runFullSync();
  const { creates, errors } = first.plan!.counts;
  expect(creates).toBe(dryRun.plan!.counts.creates);
  // Users with bad input are messaged too: their entity records the reason for `user show` and the UI.
  expect(first.convergence).toMatchObject({
    expected: creates + errors,
    applied: creates + errors,
    unconfirmed: 0,
  });
  expect(first.convergence!.failed).toHaveLength(Math.min(errors, 10));

  const pbx = sync.world.pbx.control.state();
  expect(pbx.extensions).toHaveLength(creates);
  expect(new Set(pbx.extensions.map((e) => e.number)).size).toBe(creates);
  expect(new Set(pbx.extensions.map((e) => e.email_addr.toLowerCase())).size).toBe(creates);
  expect(pbx.welcomeEmails).toHaveLength(creates);
  expect(new Set(pbx.welcomeEmails.map((w) => w.number)).size).toBe(creates);
  expect(errors).toBeGreaterThan(0);

  sync.world.pbx.control.resetCounters();
  const second = await sync.runFullSync();
  expect(second.plan!.counts).toMatchObject({
    creates: 0,
    updates: 0,
    disables: 0,
    deletes: 0,
    unchanged: creates,
  });
  expect(second.convergence).toMatchObject({ expected: 0, applied: 0 });
  expect(pbxWrites()).toBe(0);
}, 900_000);
