import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';
import {
  decideOffboardingUpdate,
  fullSyncProgressQuery,
  userStateQuery,
  userWorkflowId,
} from '../contracts/index.js';
import { until } from './support/until.js';

const GRACE_SECONDS = 20;
const DAY_SECONDS = 86_400;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sync: SyncWorld;

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflows();
  sync = await startSyncWorld(env, bundle, {
    users: 30,
    seed: 7,
    policy: {
      offboarding: { graceDays: GRACE_SECONDS / DAY_SECONDS, maxCount: 5, maxPercent: 30 },
      numbers: { quarantineDays: 60 / DAY_SECONDS },
    },
  });
  await sync.runFullSync();
});

afterAll(async () => {
  await sync?.stop();
  await env?.teardown();
});

/** Synced users: Graph users that have an extension with their email. */
function syncedUsers() {
  const emails = new Map(
    sync.world.pbx.control.state().extensions.map((e) => [e.email_addr.toLowerCase(), e]),
  );
  return sync.world.graph.control
    .listUsers()
    .flatMap((user) => {
      const extension = emails.get((user.mail ?? user.userPrincipalName).toLowerCase());
      return extension ? [{ user, extension }] : [];
    })
    .sort((a, b) => a.extension.number.localeCompare(b.extension.number));
}

const extensionOf = (number: string) =>
  sync.world.pbx.control.state().extensions.find((e) => e.number === number);

test('a run that would offboard 60 % waits for approval, listing the names; reject keeps everyone, approve disables', async () => {
  const users = syncedUsers();
  const leaving = users.slice(0, Math.ceil(users.length * 0.6));
  for (const { user } of leaving) sync.world.graph.control.disableUser(user.id);

  await sync.withWorker(async () => {
    const rejected = await sync.startFullSync();
    await until(
      async () => (await rejected.query(fullSyncProgressQuery)).phase === 'awaiting-approval',
      60_000,
    );
    const waiting = await rejected.query(fullSyncProgressQuery);
    expect(waiting.guard?.reason).toBe('above-threshold');
    expect(waiting.guard?.wouldOffboard).toHaveLength(leaving.length);
    for (const { user } of leaving)
      expect(waiting.guard?.wouldOffboard.join('\n')).toContain(user.userPrincipalName);
    await rejected.executeUpdate(decideOffboardingUpdate, { args: [{ approved: false, by: 'test' }] });
    expect((await rejected.result()).decision).toMatchObject({ approved: false });
    expect(leaving.every(({ extension }) => extensionOf(extension.number)?.enabled === true)).toBe(true);

    const approved = await sync.startFullSync();
    await until(
      async () => (await approved.query(fullSyncProgressQuery)).phase === 'awaiting-approval',
      60_000,
    );
    await approved.executeUpdate(decideOffboardingUpdate, { args: [{ approved: true, by: 'test' }] });
    await approved.result();
  });
  for (const { extension } of leaving) expect(extensionOf(extension.number)?.enabled).toBe(false);
  for (const { extension } of users.slice(leaving.length))
    expect(extensionOf(extension.number)?.enabled).toBe(true);

  for (const { user } of leaving) sync.world.graph.control.updateUser(user.id, { accountEnabled: true });
  const back = await sync.runFullSync();
  expect(back.plan?.counts.updates).toBe(leaving.length);
  for (const { extension } of leaving)
    expect(extensionOf(extension.number)).toMatchObject({ id: extension.id, enabled: true });
}, 180_000);

test('a user restored within the grace period keeps the extension; after it the extension goes and the number is held for them', async () => {
  const [{ user, extension }] = syncedUsers().slice(-1) as [ReturnType<typeof syncedUsers>[number]];
  const entity = env.client.workflow.getHandle(userWorkflowId(sync.tenantId, user.id));

  sync.world.graph.control.disableUser(user.id);
  await sync.runFullSync();
  expect(extensionOf(extension.number)?.enabled).toBe(false);
  sync.world.graph.control.updateUser(user.id, { accountEnabled: true });
  await sync.runFullSync();
  expect(extensionOf(extension.number)).toMatchObject({ id: extension.id, enabled: true });

  sync.world.graph.control.disableUser(user.id);
  await sync.withWorker(async () => {
    await (await sync.startFullSync()).result();
    await until(() => extensionOf(extension.number) === undefined, (GRACE_SECONDS + 20) * 1000);
    await until(async () => (await entity.query(userStateQuery)).phase === 'quarantined', 10_000);
    expect(await entity.query(userStateQuery)).toMatchObject({
      phase: 'quarantined',
      heldNumber: extension.number,
    });
  });

  sync.world.graph.control.updateUser(user.id, { accountEnabled: true });
  await sync.runFullSync();
  const recreated = extensionOf(extension.number);
  expect(recreated?.email_addr).toBe(extension.email_addr);
  expect(recreated?.id).not.toBe(extension.id);
  expect(
    sync.world.pbx.control.state().welcomeEmails.filter((w) => w.number === extension.number),
  ).toHaveLength(1);
}, 180_000);

test('a failed directory read offboards nobody, and an empty directory is held for approval', async () => {
  const before = sync.world.pbx.control.state().extensions.map((e) => [e.number, e.enabled]);
  sync.world.graph.control.setFaults({ rules: [{ match: 'GET /users', status: 503 }] });
  await sync.withWorker(async () => {
    const run = await sync.startFullSync();
    await until(async () => ((await run.describe()).raw.pendingActivities?.[0]?.attempt ?? 0) >= 2, 60_000);
    expect((await run.query(fullSyncProgressQuery)).phase).toBe('planning');
    expect(sync.world.pbx.control.state().extensions.map((e) => [e.number, e.enabled])).toEqual(before);
    await run.terminate('test done');
  });
  sync.world.graph.control.clearFaults();

  for (const user of sync.world.graph.control.listUsers()) sync.world.graph.control.softDeleteUser(user.id);
  await sync.withWorker(async () => {
    const run = await sync.startFullSync();
    await until(async () => (await run.query(fullSyncProgressQuery)).phase === 'awaiting-approval', 60_000);
    expect(sync.world.pbx.control.state().extensions.map((e) => [e.number, e.enabled])).toEqual(before);
    await run.executeUpdate(decideOffboardingUpdate, { args: [{ approved: false, by: 'test' }] });
    await run.result();
  });
  expect(sync.world.pbx.control.state().extensions.map((e) => [e.number, e.enabled])).toEqual(before);
}, 180_000);
