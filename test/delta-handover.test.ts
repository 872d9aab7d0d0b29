import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { deltaStatus, signalDelta, startDelta, type DeltaReport } from '../client/commands/delta.js';
import type { OperatorClient } from '../client/connect.js';
import { loadClientConfig } from '../config/index.js';
import { decideOffboardingUpdate, fullSyncProgressQuery, pokeDirectorySignal } from '../contracts/index.js';
import { DOMAIN, startDeltaWorld, type DeltaWorld } from './support/delta-world.js';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';
import { until } from './support/until.js';

/** What a delta round hands to a full sync, and the operator's commands: a tenant of its own per test. */
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

async function freshWorld(options: Parameters<typeof startDeltaWorld>[2] = {}): Promise<DeltaWorld> {
  world = await startDeltaWorld(env, bundle, options);
  return world;
}

test('an expired delta token leads to a full sync and then normal rounds; no change in the gap is lost', async () => {
  const w = await freshWorld();
  const before = await w.startWatcher();
  const graph = w.sync.world.graph.control;
  const [a, b, c] = w.syncedUsers();
  graph.expireDeltaTokens();
  // Made before the next round: the token is gone, so the full sync must cover it.
  graph.updateUser(a!.id, { surname: 'BeforeResync' });
  await w.watcher().signal(pokeDirectorySignal);
  await until(async () => (await w.status()).phase === 'full-sync', 20_000, 'full sync starts');
  // Made while the full sync runs: the cursors re-baselined before it report it again.
  graph.updateUser(b!.id, { surname: 'DuringResync' });
  await until(
    async () => {
      const s = await w.status();
      return s.fullSyncsStarted === before.fullSyncsStarted + 1 && s.phase !== 'full-sync';
    },
    60_000,
    'full sync done',
  );
  await w.watcher().signal(pokeDirectorySignal);
  await until(() => w.extensionOf(a!.id)?.last_name === 'BeforeResync', 20_000, 'a');
  await until(() => w.extensionOf(b!.id)?.last_name === 'DuringResync', 20_000, 'b');
  const s = await w.status();
  expect(s.lastFullSync?.reason).toBe('delta token expired');
  expect(s.lastError?.message).toMatch(/delta token expired/);
  await w.expectDelta(
    'update after resync',
    () => graph.updateUser(c!.id, { surname: 'AfterResync' }),
    () => w.extensionOf(c!.id)?.last_name === 'AfterResync',
  );
  expect((await w.status()).fullSyncsStarted).toBe(before.fullSyncsStarted + 1);
}, 180_000);

test('a round that would offboard more than the guard allows hands over to a full sync that waits for approval', async () => {
  const w = await freshWorld();
  const before = await w.startWatcher();
  const graph = w.sync.world.graph.control;
  const leaving = w.syncedUsers().slice(0, 6);
  for (const user of leaving) graph.softDeleteUser(user.id);
  await w.watcher().signal(pokeDirectorySignal);
  await until(
    async () => (await w.status()).fullSyncsStarted === before.fullSyncsStarted + 1,
    20_000,
    'full sync for approval',
  );
  const fullSync = env.client.workflow.getHandle((await w.status()).lastFullSync!.workflowId);
  expect((await w.status()).lastFullSync?.reason).toMatch(
    /^offboarding held: this run would offboard 6 of \d+ managed users \(disable 6, delete 0\)/,
  );
  await until(
    async () => (await fullSync.query(fullSyncProgressQuery)).phase === 'awaiting-approval',
    30_000,
    'awaiting approval',
  );
  const extensionIds = leaving.map(
    (user) =>
      w.sync.world.pbx.control
        .state()
        .extensions.find(
          (e) => e.email_addr.toLowerCase() === (user.mail ?? user.userPrincipalName).toLowerCase(),
        )!.id,
  );
  const enabled = () => w.extensions().filter((e) => extensionIds.includes(e.id) && e.enabled).length;
  expect(enabled()).toBe(leaving.length);
  await fullSync.executeUpdate(decideOffboardingUpdate, { args: [{ approved: false, by: 'test' }] });
  await fullSync.result();
  for (const user of leaving) graph.restoreUser(user.id);
  await until(async () => (await w.status()).phase === 'waiting', 20_000, 'rounds again');
  const rounds = (await w.status()).rounds;
  await w.watcher().signal(pokeDirectorySignal);
  await until(async () => (await w.status()).rounds > rounds, 20_000, 'another round');
  expect(enabled()).toBe(leaving.length);
}, 180_000);

test('a round with more changed users than fullSyncAboveUsers hands them to a full sync, which applies them all', async () => {
  const w = await freshWorld();
  const before = await w.startWatcher({ fullSyncAboveUsers: 3 });
  const graph = w.sync.world.graph.control;
  const burst = w.syncedUsers().slice(0, 4);
  for (const user of burst) graph.updateUser(user.id, { surname: `Burst-${user.id.slice(0, 4)}` });
  await w.watcher().signal(pokeDirectorySignal);
  await until(
    async () => {
      const s = await w.status();
      return s.fullSyncsStarted === before.fullSyncsStarted + 1 && s.phase === 'waiting';
    },
    60_000,
    'full sync for the burst',
  );
  expect((await w.status()).lastFullSync).toMatchObject({
    reason: expect.stringMatching(/^4 users changed in one round \(more than 3\)/) as unknown,
    outcome: 'completed',
  });
  for (const user of burst)
    await until(
      () => w.extensionOf(user.id)?.last_name === `Burst-${user.id.slice(0, 4)}`,
      20_000,
      `burst ${user.userPrincipalName}`,
    );
  const [one] = burst;
  await w.expectDelta(
    'update after the burst',
    () => graph.updateUser(one!.id, { jobTitle: 'After the burst' }),
    () => w.extensionOf(one!.id)?.title === 'After the burst',
  );
  expect((await w.status()).fullSyncsStarted).toBe(before.fullSyncsStarted + 1);
}, 180_000);

test('numbers an admin took on the PBX behind the sync are skipped: the new hire gets the next free one', async () => {
  const w = await freshWorld();
  await w.startWatcher();
  // An admin's extensions on the lowest numbers the PBX does not hold: whichever the planner picks is refused.
  const held = new Set(w.extensions().map((e) => e.number));
  const adminNumbers: string[] = [];
  for (let n = 1000; adminNumbers.length < 5; n++) if (!held.has(String(n))) adminNumbers.push(String(n));
  for (const number of adminNumbers)
    await w.worker.deps.pbx.createExtension({
      number,
      firstName: 'Admin',
      lastName: number,
      email: `admin.${number}@example.com`,
    });
  const email = `admin.race@${DOMAIN}`;
  await w.expectDelta(
    'create past numbers an admin took',
    () => {
      const graph = w.sync.world.graph.control;
      const id = graph.createUser({
        userPrincipalName: email,
        displayName: 'Admin Race',
        givenName: 'Admin',
        surname: 'Race',
        mail: email,
        accountEnabled: true,
      }).id;
      graph.addMember(w.groupId, id);
    },
    () => w.extensions().some((e) => e.email_addr === email),
  );
  const hired = w.extensions().find((e) => e.email_addr === email)!;
  expect(adminNumbers).not.toContain(hired.number);
  for (const number of adminNumbers)
    expect(w.extensions().find((e) => e.number === number)?.email_addr).toBe(`admin.${number}@example.com`);
}, 180_000);

test('sync delta status | poke | stop | start on the command line', async () => {
  const w = await freshWorld();
  await w.startWatcher();
  const operator: OperatorClient = {
    client: env.client,
    config: loadClientConfig(w.sync.env),
    address: 'test',
    close: async () => {},
  };
  const shown = await deltaStatus(operator, { json: false });
  expect(shown).toMatch(new RegExp(`^directory watcher directory/${w.sync.tenantId}: running`));
  expect(shown).toMatch(/full syncs started\s+1/);
  expect(shown).toMatch(/cursor age\s+\d+ s ago/);

  const rounds = (await w.status()).rounds;
  expect(await signalDelta(operator, 'poke', { json: false })).toContain('poked');
  await until(async () => (await w.status()).rounds > rounds, 10_000, 'poked round');

  const stopped = JSON.parse(await signalDelta(operator, 'stop', { json: true })) as DeltaReport;
  expect(stopped).toMatchObject({ running: false, state: { phase: 'stopped' } });

  const started = JSON.parse(await startDelta(operator, { intervalSeconds: 2, json: true })) as DeltaReport;
  expect(started).toMatchObject({ running: true, message: 'started' });
  const again = JSON.parse(await startDelta(operator, { json: true })) as DeltaReport;
  expect(again.message).toMatch(/already running/);
  await until(async () => (await w.status()).rounds >= 1, 60_000, 'restarted watcher baseline');
  expect(await w.status()).toMatchObject({ intervalSeconds: 2, fullSyncsStarted: 1 });
  await signalDelta(operator, 'stop', { json: false });
}, 180_000);
