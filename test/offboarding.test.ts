import {
  decideOffboardingUpdate,
  fullSyncProgressQuery,
  userStateQuery,
  userWorkflowId,
} from '../contracts/index.js';
import type { SyncPolicyInput } from '../model/index.js';
import { emailOf, expectedSyncedUsers } from '../harness/expected-directory.js';
import { pbxWrites } from './support/pbx-expectations.js';
import type { SimulatedWorld } from '../harness/simulated-world.js';
import type { SyncWorld, SyncWorldOptions } from './support/sync-world.js';
import { until } from './support/until.js';
import { worldPerTest } from './support/world-per-test.js';

const DAY_SECONDS = 86_400;
const GRACE_SECONDS = 10;
/** Long enough for a hire and a return to happen inside it; the test never waits it out. */
const QUARANTINE_SECONDS = 600;
/** The guard off: only the rule a test is about may protect the users. */
const NO_THRESHOLD = { maxCount: 100_000, maxPercent: 100 };

const worlds = worldPerTest();

interface WorldOptions extends Partial<Omit<SyncWorldOptions, 'policy'>> {
  offboarding?: { maxCount: number; maxPercent: number };
  /** More policy, made from the simulated world before the first sync (e.g. a scope group). */
  policy?: (world: SimulatedWorld) => SyncPolicyInput;
}

/** A fresh tenant of its own, synced once: no test depends on what another one left behind. */
async function syncedWorld({ offboarding, policy, ...options }: WorldOptions = {}) {
  const world = await worlds.start({
    users: 30,
    seed: 7,
    ...options,
    policy: (simulated) => ({
      ...policy?.(simulated),
      offboarding: { graceDays: GRACE_SECONDS / DAY_SECONDS, maxCount: 5, maxPercent: 30, ...offboarding },
      numbers: { quarantineDays: QUARANTINE_SECONDS / DAY_SECONDS },
    }),
  });
  await world.runFullSync();
  return world;
}

/** Synced users with their extensions, by extension number. */
function syncedUsers(world: SyncWorld) {
  const byEmail = new Map(
    world.world.pbx.control.state().extensions.map((e) => [e.email_addr.toLowerCase(), e]),
  );
  return world.world.graph.control
    .listUsers()
    .flatMap((user) => {
      const extension = byEmail.get(emailOf(user));
      return extension ? [{ user, extension }] : [];
    })
    .sort((a, b) => Number(a.extension.number) - Number(b.extension.number));
}

const extensionOf = (world: SyncWorld, number: string) =>
  world.world.pbx.control.state().extensions.find((e) => e.number === number);
const enabledStates = (world: SyncWorld) =>
  world.world.pbx.control.state().extensions.map((e) => [e.number, e.enabled]);
const writes = (world: SyncWorld) => pbxWrites(world.world.pbx.control.counters());

test('a run that would offboard 60 % waits for approval, listing the names; a rejection writes nothing', async () => {
  const world = await syncedWorld();
  const users = syncedUsers(world);
  const leaving = users.slice(0, Math.ceil(users.length * 0.6));
  for (const { user } of leaving) world.world.graph.control.disableUser(user.id);
  world.world.pbx.control.resetCounters();

  await world.withWorker(async () => {
    const run = await world.startFullSync();
    await until(async () => (await run.query(fullSyncProgressQuery)).phase === 'awaiting-approval', 60_000);
    const waiting = await run.query(fullSyncProgressQuery);
    expect(waiting.guard?.reason).toBe('above-threshold');
    expect(waiting.guard?.wouldOffboard).toHaveLength(leaving.length);
    for (const { user } of leaving)
      expect(waiting.guard?.wouldOffboard.join('\n')).toContain(user.userPrincipalName);
    await run.executeUpdate(decideOffboardingUpdate, { args: [{ approved: false, by: 'test' }] });
    expect((await run.result()).decision).toMatchObject({ approved: false });
  });
  expect(writes(world)).toEqual({});
}, 180_000);

test('an approved mass offboarding disables exactly the leavers; when they return the same extensions come back', async () => {
  const world = await syncedWorld();
  const users = syncedUsers(world);
  const leaving = users.slice(0, Math.ceil(users.length * 0.6));
  for (const { user } of leaving) world.world.graph.control.disableUser(user.id);

  await world.withWorker(async () => {
    const run = await world.startFullSync();
    await until(async () => (await run.query(fullSyncProgressQuery)).phase === 'awaiting-approval', 60_000);
    await run.executeUpdate(decideOffboardingUpdate, { args: [{ approved: true, by: 'test' }] });
    await run.result();
  });
  for (const { extension } of leaving) expect(extensionOf(world, extension.number)?.enabled).toBe(false);
  for (const { extension } of users.slice(leaving.length))
    expect(extensionOf(world, extension.number)?.enabled).toBe(true);

  for (const { user } of leaving) world.world.graph.control.updateUser(user.id, { accountEnabled: true });
  const back = await world.runFullSync();
  expect(back.plan?.counts.updates).toBe(leaving.length);
  for (const { extension } of leaving)
    expect(extensionOf(world, extension.number)).toMatchObject({ id: extension.id, enabled: true });
}, 180_000);

test('a user restored within the grace period keeps the same extension', async () => {
  const world = await syncedWorld();
  const [{ user, extension }] = syncedUsers(world).slice(-1) as [ReturnType<typeof syncedUsers>[number]];
  world.world.graph.control.disableUser(user.id);
  await world.runFullSync();
  expect(extensionOf(world, extension.number)?.enabled).toBe(false);
  world.world.graph.control.updateUser(user.id, { accountEnabled: true });
  await world.runFullSync();
  expect(extensionOf(world, extension.number)).toMatchObject({ id: extension.id, enabled: true });
}, 180_000);

test('after the grace period the extension goes and its number is held in quarantine: a new hire gets another, the user gets it back', async () => {
  const world = await syncedWorld();
  // The lowest number: once free, it is the first any allocation would pick, unless quarantine holds it.
  const [{ user, extension }] = syncedUsers(world) as [ReturnType<typeof syncedUsers>[number]];
  const entity = worlds.env.client.workflow.getHandle(userWorkflowId(world.tenantId, user.id));

  world.world.graph.control.disableUser(user.id);
  await world.withWorker(async () => {
    await (await world.startFullSync()).result();
    await until(() => extensionOf(world, extension.number) === undefined, (GRACE_SECONDS + 30) * 1000);
    await until(async () => (await entity.query(userStateQuery)).phase === 'quarantined', 10_000);
    expect(await entity.query(userStateQuery)).toMatchObject({
      phase: 'quarantined',
      heldNumber: extension.number,
    });
  });

  const hire = world.world.graph.control.createUser({
    userPrincipalName: 'new.hire@contoso.onmicrosoft.com',
    displayName: 'New Hire',
    givenName: 'New',
    surname: 'Hire',
    mail: 'new.hire@contoso.example',
    accountEnabled: true,
  });
  await world.runFullSync();
  const hired = world.world.pbx.control.state().extensions.find((e) => e.email_addr === emailOf(hire));
  expect(hired).toBeDefined();
  expect(hired!.number).not.toBe(extension.number);

  world.world.graph.control.updateUser(user.id, { accountEnabled: true });
  await world.runFullSync();
  const recreated = extensionOf(world, extension.number);
  expect(recreated?.email_addr).toBe(extension.email_addr);
  expect(recreated?.id).not.toBe(extension.id);
  expect(
    world.world.pbx.control.state().welcomeEmails.filter((w) => w.number === extension.number),
  ).toHaveLength(1);
}, 240_000);

test('a users read that fails on its second page offboards nobody, even with the threshold off', async () => {
  // 1,100 users: two pages of 999. The scope group has members on both pages, so a read cut after page 1 would
  // make those on page 2 look gone; the threshold is off, so only the read-failure rule can protect them.
  const world = await syncedWorld({
    users: 1100,
    seed: 17,
    offboarding: NO_THRESHOLD,
    policy: (simulated) => {
      const listed = expectedSyncedUsers(simulated.graph.control.listUsers());
      const members = [...listed.slice(0, 3), ...listed.slice(-6)];
      const group = simulated.graph.control.createGroup({ displayName: 'Phones pilot' });
      for (const member of members) simulated.graph.control.addMember(group.id, member.id);
      return { scope: { groups: [group.id] } };
    },
  });
  const before = enabledStates(world);
  expect(before).toHaveLength(9);
  world.world.pbx.control.resetCounters();
  world.world.graph.control.setFaults({ rules: [{ endpoint: 'GET /users', status: 503, skip: 1 }] });
  await world.withWorker(async () => {
    const run = await world.startFullSync();
    const attempt = async () => (await run.describe()).raw.pendingActivities?.[0]?.attempt ?? 0;
    await until(async () => (await attempt()) >= 3, 90_000, 'the plan retried twice');
    expect((await run.query(fullSyncProgressQuery)).phase).toBe('planning');
    await run.terminate('test done');
  });
  world.world.graph.control.clearFaults();
  expect(writes(world)).toEqual({});
  expect(enabledStates(world)).toEqual(before);
}, 240_000);

test('an empty directory is held for approval, and a rejection writes nothing', async () => {
  const world = await syncedWorld();
  const before = enabledStates(world);
  for (const user of world.world.graph.control.listUsers()) world.world.graph.control.softDeleteUser(user.id);
  world.world.pbx.control.resetCounters();
  await world.withWorker(async () => {
    const run = await world.startFullSync();
    await until(async () => (await run.query(fullSyncProgressQuery)).phase === 'awaiting-approval', 60_000);
    await run.executeUpdate(decideOffboardingUpdate, { args: [{ approved: false, by: 'test' }] });
    await run.result();
  });
  expect(writes(world)).toEqual({});
  expect(enabledStates(world)).toEqual(before);
}, 180_000);
