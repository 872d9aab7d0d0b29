import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  directoryStatusQuery,
  directoryWatcherWorkflowId,
  pokeDirectorySignal,
  stopDirectorySignal,
} from '../contracts/index.js';
import { startNotificationReceiver } from '../worker/notifications.js';
import { directoryWatcher } from '../workflows/directory-watcher.js';
import { DOMAIN, startDeltaWorld, type DeltaWorld } from './support/delta-world.js';
import { userEntitiesIdle } from './support/in-flight.js';
import { pbxWrites } from './support/pbx-expectations.js';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';
import { until } from './support/until.js';

/**
 * Delta sync, one change kind per test. The watcher polls only every 300 s, so each change arrives through
 * the poke a change notification would send, and a test names the change kind it proves. The tests share one
 * synced tenant; each changes users of its own, and each starts and ends its own watcher.
 */
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let world: DeltaWorld;
/** Milliseconds from a change in the Graph simulator to the PBX write being visible, per change kind. */
const latencies: [string, number][] = [];

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflows();
  world = await startDeltaWorld(env, bundle, { users: 24 });
}, 120_000);

afterEach(async () => {
  await world?.endWatcher();
});

afterAll(async () => {
  console.log(
    `delta latency (Graph change → PBX write): ${latencies.map(([k, ms]) => `${k} ${ms} ms`).join(', ')}`,
  );
  await world?.stop();
  await env?.teardown();
});

const graph = () => world.sync.world.graph.control;
/** The n-th synced user (by object id): each test takes users no other test touches. */
const userNo = (n: number) => {
  const user = [...world.syncedUsers()].sort((a, b) => a.id.localeCompare(b.id))[n];
  if (!user) throw new Error(`no synced user number ${n}`);
  return user;
};
async function expectDelta(kind: string, change: () => void, reached: () => boolean) {
  latencies.push([kind, await world.expectDelta(kind, change, reached)]);
}

test('a new user in the chosen group gets an extension', async () => {
  await world.startWatcher();
  const email = `new.hire@${DOMAIN}`;
  await expectDelta(
    'create',
    () => {
      const hire = graph().createUser({
        userPrincipalName: email,
        displayName: 'New Hire',
        givenName: 'New',
        surname: 'Hire',
        mail: email,
        accountEnabled: true,
      });
      graph().addMember(world.groupId, hire.id);
    },
    () => world.extensions().some((e) => e.email_addr === email && e.enabled),
  );
}, 120_000);

test('an attribute change updates the same extension', async () => {
  await world.startWatcher();
  const user = userNo(0);
  const before = world.extensionOf(user.id)!;
  await expectDelta(
    'update',
    () => graph().updateUser(user.id, { surname: 'Updated' }),
    () => world.extensionOf(user.id)?.last_name === 'Updated',
  );
  expect(world.extensionOf(user.id)?.id).toBe(before.id);
}, 120_000);

test('a rename (new UPN and mail) updates the same extension, never a second one', async () => {
  await world.startWatcher();
  const user = userNo(1);
  const before = world.extensionOf(user.id)!;
  await expectDelta(
    'rename',
    () =>
      graph().updateUser(user.id, {
        userPrincipalName: `renamed.user@${DOMAIN}`,
        mail: `renamed.user@${DOMAIN}`,
      }),
    () => world.extensionOf(user.id)?.email_addr === `renamed.user@${DOMAIN}`,
  );
  expect(world.extensionOf(user.id)?.id).toBe(before.id);
  expect(world.extensions().filter((x) => x.number === before.number)).toHaveLength(1);
}, 120_000);

test('a disabled user is offboarded; enabled again within the grace period they keep the extension', async () => {
  await world.startWatcher();
  const user = userNo(2);
  const before = world.extensionOf(user.id)!;
  await expectDelta(
    'disable',
    () => graph().disableUser(user.id),
    () => world.extensionOf(user.id)?.enabled === false,
  );
  await expectDelta(
    'enable',
    () => graph().updateUser(user.id, { accountEnabled: true }),
    () => world.extensionOf(user.id)?.enabled === true,
  );
  expect(world.extensionOf(user.id)?.id).toBe(before.id);
}, 120_000);

test('a soft-deleted user is offboarded; restored they keep the extension', async () => {
  await world.startWatcher();
  const user = userNo(3);
  const before = world.extensionOf(user.id)!;
  await expectDelta(
    'soft delete',
    () => graph().softDeleteUser(user.id),
    () => world.extensions().find((e) => e.id === before.id)?.enabled === false,
  );
  await expectDelta(
    'restore',
    () => graph().restoreUser(user.id),
    () => world.extensions().find((e) => e.id === before.id)?.enabled === true,
  );
}, 120_000);

test('leaving the chosen group offboards; joining it again brings the extension back', async () => {
  await world.startWatcher();
  const user = userNo(4);
  await expectDelta(
    'group remove',
    () => graph().removeMember(world.groupId, user.id),
    () => world.extensionOf(user.id)?.enabled === false,
  );
  await expectDelta(
    'group add',
    () => graph().addMember(world.groupId, user.id),
    () => world.extensionOf(user.id)?.enabled === true,
  );
}, 120_000);

test('a hard-deleted user is offboarded', async () => {
  await world.startWatcher();
  const user = userNo(5);
  const before = world.extensionOf(user.id)!;
  await expectDelta(
    'hard delete',
    () => graph().hardDeleteUser(user.id),
    () => world.extensions().find((e) => e.id === before.id)?.enabled === false,
  );
}, 120_000);

test('a poke runs a round at once, although the watcher polls only every 300 s', async () => {
  const baselined = await world.startWatcher();
  await world.watcher().signal(pokeDirectorySignal);
  await until(async () => (await world.status()).rounds > baselined.rounds, 10_000, 'the poked round');
}, 120_000);

/** History events of each kind the watcher's current run recorded after event `from`. */
async function eventsSince(from: number): Promise<{ events: number; kinds: Map<string, number> }> {
  const history = await world.watcher().fetchHistory();
  const kinds = new Map<string, number>();
  const later = (history.events ?? []).filter((e) => Number(e.eventId) > from);
  for (const e of later) kinds.set(String(e.eventType), (kinds.get(String(e.eventType)) ?? 0) + 1);
  return { events: Number(history.events?.at(-1)?.eventId ?? 0), kinds };
}

test('polling alone, without a poke, delivers a change within the interval; idle intervals cost no rounds or timers', async () => {
  const baselined = await world.startWatcher({ intervalSeconds: 1 });
  const { events: start } = await eventsSince(0);
  // Ten idle intervals: the poll activity reads Graph ten times and records nothing in the history.
  await new Promise((resolve) => setTimeout(resolve, 10_000));
  const idle = await eventsSince(start);
  expect((await world.status()).rounds).toBe(baselined.rounds);
  expect(idle.kinds.get('EVENT_TYPE_TIMER_STARTED') ?? 0).toBe(0);
  expect(idle.kinds.get('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED') ?? 0).toBeLessThanOrEqual(1);

  const user = userNo(6);
  const started = Date.now();
  graph().updateUser(user.id, { surname: 'Polled' });
  await until(() => world.extensionOf(user.id)?.last_name === 'Polled', 15_000, 'polled');
  latencies.push(['update (polling, no poke)', Date.now() - started]);
}, 120_000);

test('continue-as-new carries the cursors: no change is lost across runs', async () => {
  await world.startWatcher({ maxRoundsPerRun: 2 });
  const [a, b, c] = [userNo(7), userNo(8), userNo(9)];
  for (const [user, title] of [
    [a, 'Run one'],
    [b, 'Run two'],
    [c, 'Run three'],
  ] as const)
    await expectDelta(
      `update (${title})`,
      () => graph().updateUser(user.id, { jobTitle: title }),
      () => world.extensionOf(user.id)?.title === title,
    );
  const s = await world.status();
  expect(s.runs).toBeGreaterThan(1);
  expect(s.fullSyncsStarted).toBe(1);
  expect(s.lastError).toBeUndefined();
}, 120_000);

test('replayed rounds and duplicate changes write nothing to the PBX', async () => {
  const before = await world.startWatcher();
  const user = userNo(10);
  await expectDelta(
    'duplicate update',
    () => {
      for (let i = 0; i < 3; i++) graph().updateUser(user.id, { surname: 'Twice' });
    },
    () => world.extensionOf(user.id)?.last_name === 'Twice',
  );
  await until(() => userEntitiesIdle(env.client, world.sync.tenantId), 30_000, 'the entities idle');
  world.sync.world.pbx.control.resetCounters();

  // A second watcher instance runs the rounds again from the cursors of before.
  const replay = await env.client.workflow.start(directoryWatcher, {
    workflowId: `${directoryWatcherWorkflowId(world.sync.tenantId)}/replay`,
    taskQueue: world.sync.config.taskQueue,
    args: [{ tenantId: world.sync.tenantId, intervalSeconds: 300, state: { ...before, runs: 0 } }],
  });
  try {
    // A watcher given cursors runs its first round at once.
    await until(
      async () => (await replay.query(directoryStatusQuery)).rounds > before.rounds,
      20_000,
      'replay',
    );
    await replay.signal(stopDirectorySignal);
    const replayed = await replay.result();
    expect(replayed.lastRound?.changes).toBeGreaterThanOrEqual(1);
    expect(replayed.fullSyncsStarted).toBe(before.fullSyncsStarted);
    await until(() => userEntitiesIdle(env.client, world.sync.tenantId), 30_000, 'the entities idle');
    expect(pbxWrites(world.sync.world.pbx.control.counters())).toEqual({});
  } finally {
    await replay.terminate().catch(() => undefined);
  }
}, 120_000);

test('the notification receiver answers the handshake, drops a forged clientState and wakes the watcher', async () => {
  const baselined = await world.startWatcher();
  const receiver = await startNotificationReceiver({
    client: env.client,
    tenantId: world.sync.tenantId,
    clientState: 'expected-secret',
  });
  try {
    const handshake = await fetch(`${receiver.url}?validationToken=${encodeURIComponent('a b&c')}`, {
      method: 'POST',
    });
    expect(handshake.status).toBe(200);
    expect(handshake.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await handshake.text()).toBe('a b&c');

    const post = (clientState: string) =>
      fetch(receiver.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ value: [{ clientState, changeType: 'updated', resource: 'users/x' }] }),
      });
    expect((await post('forged')).status).toBe(202);
    expect(receiver.stats).toMatchObject({ accepted: 0, rejected: 1, pokes: 0 });
    expect((await world.status()).rounds).toBe(baselined.rounds);

    const user = userNo(11);
    const started = Date.now();
    graph().updateUser(user.id, { surname: 'Notified' });
    expect((await post('expected-secret')).status).toBe(202);
    // The watcher polls every 300 s: only the receiver's poke can bring the change this soon.
    await until(() => world.extensionOf(user.id)?.last_name === 'Notified', 20_000, 'notified');
    latencies.push(['update (notification)', Date.now() - started]);
    expect(receiver.stats).toMatchObject({ accepted: 1, rejected: 1, pokes: 1 });
  } finally {
    await receiver.close();
  }
}, 120_000);
