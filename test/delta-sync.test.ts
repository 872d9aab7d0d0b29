import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { setTimeout as sleep } from 'node:timers/promises';
import { directoryWatcher } from '../workflows/directory-watcher.js';
import { deltaStatus, signalDelta, startDelta, type DeltaReport } from '../client/commands/delta.js';
import type { OperatorClient } from '../client/connect.js';
import { loadClientConfig } from '../config/index.js';
import { buildDependencies } from '../worker/dependencies.js';
import { startNotificationReceiver } from '../worker/notifications.js';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';
import {
  directoryStatusQuery,
  directoryWatcherWorkflowId,
  pokeDirectorySignal,
  stopDirectorySignal,
  type DirectoryWatcherState,
  decideOffboardingUpdate,
  fullSyncProgressQuery,
} from '../contracts/index.js';
import { until } from './support/until.js';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sync: SyncWorld;
let groupId = '';
const DOMAIN = 'contoso.onmicrosoft.com';
/** Milliseconds from a change in the Graph simulator to the PBX write being visible, per change kind. */
const latencies: [string, number][] = [];

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflows();
  sync = await startSyncWorld(env, bundle, {
    users: 12,
    seed: 11,
    policy: (world) => {
      const graph = world.graph.control;
      groupId = graph.createGroup({ displayName: 'Phones' }).id;
      for (const user of graph.listUsers()) graph.addMember(groupId, user.id);
      return {
        scope: { groups: [groupId] },
        offboarding: { maxCount: 5, maxPercent: 50 },
      };
    },
  });
  await sync.runFullSync();
}, 120_000);

afterAll(async () => {
  await sync?.stop();
  await env?.teardown();
});

const graph = () => sync.world.graph.control;
const extensions = () => sync.world.pbx.control.state().extensions;
const extensionByEmail = (email: string) =>
  extensions().find((e) => e.email_addr.toLowerCase() === email.toLowerCase());
const emailOf = (id: string) => {
  const user = graph().getUser(id)!;
  return user.mail ?? user.userPrincipalName;
};

function watcher(): WorkflowHandle<typeof directoryWatcher> {
  return env.client.workflow.getHandle(directoryWatcherWorkflowId(sync.tenantId));
}
const status = (): Promise<DirectoryWatcherState> => watcher().query(directoryStatusQuery);

/** Makes a change in Graph, pokes the watcher (as a change notification would) and times the PBX write. */
async function expectDelta(kind: string, change: () => void, reached: () => boolean, poke = true) {
  const started = Date.now();
  change();
  if (poke) await watcher().signal(pokeDirectorySignal);
  await until(reached, 30_000, kind);
  latencies.push([kind, Date.now() - started]);
}

/** Users the full sync gave an extension (in the chosen group, enabled, with an email). */
function syncedUsers() {
  return graph()
    .listUsers()
    .filter((u) => extensionByEmail(u.mail ?? u.userPrincipalName)?.enabled);
}

test('every change kind reaches the PBX through delta rounds', async () => {
  await sync.withWorker(async () => {
    await env.client.workflow.start(directoryWatcher, {
      workflowId: directoryWatcherWorkflowId(sync.tenantId),
      taskQueue: sync.config.taskQueue,
      args: [{ tenantId: sync.tenantId, intervalSeconds: 1, maxRoundsPerRun: 4 }],
    });
    // First start: "from now" cursors, then a full sync that covers everything before them, then rounds.
    await until(async () => (await status()).rounds >= 1, 60_000, 'baseline');
    expect(await status()).toMatchObject({
      fullSyncsStarted: 1,
      lastFullSync: { reason: 'initial baseline' },
    });

    const [a, b, c, d, e, f] = syncedUsers();
    expect(f).toBeDefined();

    // create (a new user joins the chosen group)
    let hire = '';
    await expectDelta(
      'create',
      () => {
        hire = graph().createUser({
          userPrincipalName: `new.hire@${DOMAIN}`,
          displayName: 'New Hire',
          givenName: 'New',
          surname: 'Hire',
          mail: `new.hire@${DOMAIN}`,
          accountEnabled: true,
        }).id;
        graph().addMember(groupId, hire);
      },
      () => extensionByEmail(`new.hire@${DOMAIN}`)?.enabled === true,
    );

    // update
    const aExt = extensionByEmail(emailOf(a!.id))!;
    await expectDelta(
      'update',
      () => graph().updateUser(a!.id, { surname: 'Updated' }),
      () => extensionByEmail(emailOf(a!.id))?.last_name === 'Updated',
    );
    expect(extensionByEmail(emailOf(a!.id))?.id).toBe(aExt.id);

    // rename: UPN and mail change update the same extension
    const bExt = extensionByEmail(emailOf(b!.id))!;
    await expectDelta(
      'rename',
      () =>
        graph().updateUser(b!.id, {
          userPrincipalName: `renamed.user@${DOMAIN}`,
          mail: `renamed.user@${DOMAIN}`,
        }),
      () => extensionByEmail(`renamed.user@${DOMAIN}`)?.id === bExt.id,
    );
    expect(extensions().filter((x) => x.number === bExt.number)).toHaveLength(1);

    // disable, then enable again
    const cExt = extensionByEmail(emailOf(c!.id))!;
    await expectDelta(
      'disable',
      () => graph().disableUser(c!.id),
      () => extensionByEmail(cExt.email_addr)?.enabled === false,
    );
    await expectDelta(
      'enable',
      () => graph().updateUser(c!.id, { accountEnabled: true }),
      () => extensionByEmail(cExt.email_addr)?.enabled === true,
    );
    expect(extensionByEmail(cExt.email_addr)?.id).toBe(cExt.id);

    // soft delete, then restore
    const dExt = extensionByEmail(emailOf(d!.id))!;
    await expectDelta(
      'soft delete',
      () => graph().softDeleteUser(d!.id),
      () => extensionByEmail(dExt.email_addr)?.enabled === false,
    );
    await expectDelta(
      'restore',
      () => graph().restoreUser(d!.id),
      () => extensionByEmail(dExt.email_addr)?.enabled === true,
    );
    expect(extensionByEmail(dExt.email_addr)?.id).toBe(dExt.id);

    // group membership: leaving the chosen group offboards, joining it again brings the extension back
    const eExt = extensionByEmail(emailOf(e!.id))!;
    await expectDelta(
      'group remove',
      () => graph().removeMember(groupId, e!.id),
      () => extensionByEmail(eExt.email_addr)?.enabled === false,
    );
    await expectDelta(
      'group add',
      () => graph().addMember(groupId, e!.id),
      () => extensionByEmail(eExt.email_addr)?.enabled === true,
    );

    // hard delete
    const fExt = extensionByEmail(emailOf(f!.id))!;
    await expectDelta(
      'hard delete',
      () => graph().hardDeleteUser(f!.id),
      () => extensionByEmail(fExt.email_addr)?.enabled === false,
    );

    // polling alone (no poke) also delivers, within the interval plus a round
    await expectDelta(
      'update (polling, no poke)',
      () => graph().updateUser(a!.id, { surname: 'Polled' }),
      () => extensionByEmail(emailOf(a!.id))?.last_name === 'Polled',
      false,
    );

    const s = await status();
    expect(s.lastError).toBeUndefined();
    expect(s.changesApplied).toBeGreaterThanOrEqual(10);
    expect(s.fullSyncsStarted).toBe(1);
    // continued-as-new every 4 rounds, carrying its cursors: no change was lost on the way
    expect(s.runs).toBeGreaterThan(1);
  });
  console.log(
    `delta latency (Graph change → PBX write): ${latencies.map(([k, ms]) => `${k} ${ms} ms`).join(', ')}`,
  );
}, 120_000);

test('replayed rounds and duplicate changes change nothing', async () => {
  await sync.withWorker(async () => {
    const [a] = syncedUsers();
    const before = await status();
    const email = emailOf(a!.id);
    const welcomes = sync.world.pbx.control.state().welcomeEmails.length;
    // the same change three times, in one round
    await expectDelta(
      'duplicate update',
      () => {
        for (let i = 0; i < 3; i++) graph().updateUser(a!.id, { surname: 'Twice' });
      },
      () => extensionByEmail(email)?.last_name === 'Twice',
    );
    await until(async () => (await status()).rounds > before.rounds + 1, 10_000, 'next round');
    const snapshot = JSON.stringify(extensions());

    // replay: a second watcher instance runs rounds again from the cursors of before
    const replay = await env.client.workflow.start(directoryWatcher, {
      workflowId: `${directoryWatcherWorkflowId(sync.tenantId)}/replay`,
      taskQueue: sync.config.taskQueue,
      args: [{ tenantId: sync.tenantId, intervalSeconds: 1, state: { ...before, runs: 0 } }],
    });
    await until(
      async () => (await replay.query(directoryStatusQuery)).rounds > before.rounds,
      20_000,
      'replay',
    );
    await replay.signal(stopDirectorySignal);
    const replayed = await replay.result();
    expect(replayed.lastRound?.changes).toBeGreaterThanOrEqual(1);
    expect(replayed.fullSyncsStarted).toBe(before.fullSyncsStarted);
    await sleep(1500); // entity messages are applied asynchronously
    expect(JSON.stringify(extensions())).toBe(snapshot);
    expect(sync.world.pbx.control.state().welcomeEmails).toHaveLength(welcomes);
  });
}, 60_000);

test('an expired delta token leads to a full sync and then normal rounds; no change in the gap is lost', async () => {
  await sync.withWorker(async () => {
    const [a, b, c] = syncedUsers();
    const before = await status();
    graph().expireDeltaTokens();
    // made before the next round: the token is gone, the full sync must cover it
    graph().updateUser(a!.id, { surname: 'BeforeResync' });
    await watcher().signal(pokeDirectorySignal);
    await until(async () => (await status()).phase === 'full-sync', 20_000, 'full sync starts');
    // made while the full sync runs: the re-baselined cursors (taken before it) report it again
    graph().updateUser(b!.id, { surname: 'DuringResync' });
    await until(
      async () => {
        const s = await status();
        return s.fullSyncsStarted === before.fullSyncsStarted + 1 && s.phase !== 'full-sync';
      },
      60_000,
      'full sync done',
    );
    await watcher().signal(pokeDirectorySignal);
    await until(() => extensionByEmail(emailOf(a!.id))?.last_name === 'BeforeResync', 20_000, 'a');
    await until(() => extensionByEmail(emailOf(b!.id))?.last_name === 'DuringResync', 20_000, 'b');
    const s = await status();
    expect(s.lastFullSync?.reason).toBe('delta token expired');
    expect(s.lastError?.message).toMatch(/delta token expired/);

    // normal rounds afterwards
    await expectDelta(
      'update after resync',
      () => graph().updateUser(c!.id, { surname: 'AfterResync' }),
      () => extensionByEmail(emailOf(c!.id))?.last_name === 'AfterResync',
    );
    expect((await status()).fullSyncsStarted).toBe(before.fullSyncsStarted + 1);
  });
}, 120_000);

test('a round that would offboard more than the guard allows hands over to a full sync that waits for approval', async () => {
  await sync.withWorker(async () => {
    const leaving = syncedUsers().slice(0, 6);
    const before = await status();
    for (const user of leaving) graph().softDeleteUser(user.id);
    await watcher().signal(pokeDirectorySignal);
    await until(
      async () => (await status()).fullSyncsStarted === before.fullSyncsStarted + 1,
      20_000,
      'full sync for approval',
    );
    const fullSync = env.client.workflow.getHandle((await status()).lastFullSync!.workflowId);
    expect((await status()).lastFullSync?.reason).toMatch(/^offboarding held: this run would disable 6/);
    await until(
      async () => (await fullSync.query(fullSyncProgressQuery)).phase === 'awaiting-approval',
      30_000,
      'awaiting approval',
    );
    for (const user of leaving) expect(extensionByEmail(emailOf(user.id))?.enabled).toBe(true);
    await fullSync.executeUpdate(decideOffboardingUpdate, { args: [{ approved: false, by: 'test' }] });
    await fullSync.result();
    for (const user of leaving) graph().restoreUser(user.id);
    await until(async () => (await status()).phase === 'waiting', 20_000, 'rounds again');
    const rounds = (await status()).rounds;
    await watcher().signal(pokeDirectorySignal);
    await until(async () => (await status()).rounds > rounds + 1, 20_000, 'two more rounds');
    for (const user of leaving) expect(extensionByEmail(emailOf(user.id))?.enabled).toBe(true);
  });
}, 90_000);

test('the notification receiver answers the handshake, checks clientState, acknowledges at once and pokes the watcher', async () => {
  const receiver = await startNotificationReceiver({
    client: env.client,
    tenantId: sync.tenantId,
    clientState: 'expected-secret',
  });
  try {
    await sync.withWorker(async () => {
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

      const [a] = syncedUsers();
      const started = Date.now();
      graph().updateUser(a!.id, { surname: 'Notified' });
      expect((await post('expected-secret')).status).toBe(202);
      await until(() => extensionByEmail(emailOf(a!.id))?.last_name === 'Notified', 20_000, 'notified');
      latencies.push(['update (notification)', Date.now() - started]);
      expect(receiver.stats).toMatchObject({ accepted: 1, rejected: 1, pokes: 1 });
    });
  } finally {
    await receiver.close();
  }
}, 60_000);

test('sync delta status | poke | stop | start on the command line', async () => {
  const operator: OperatorClient = {
    client: env.client,
    config: loadClientConfig(sync.env),
    address: 'test',
    close: async () => {},
  };
  await sync.withWorker(async () => {
    const shown = await deltaStatus(operator, { json: false });
    expect(shown).toMatch(new RegExp(`^directory watcher directory/${sync.tenantId}: running`));
    expect(shown).toMatch(/full syncs started\s+3/);
    expect(shown).toMatch(/last error\s+delta token expired/);
    expect(shown).toMatch(/cursor age\s+\d+ s ago/);

    const rounds = (await status()).rounds;
    expect(await signalDelta(operator, 'poke', { json: false })).toContain('poked');
    await until(async () => (await status()).rounds > rounds, 10_000, 'poked round');

    const stopped = JSON.parse(await signalDelta(operator, 'stop', { json: true })) as DeltaReport;
    expect(stopped).toMatchObject({ running: false, state: { phase: 'stopped' } });

    const started = JSON.parse(await startDelta(operator, { intervalSeconds: 2, json: true })) as DeltaReport;
    expect(started).toMatchObject({ running: true, message: 'started' });
    const again = JSON.parse(await startDelta(operator, { json: true })) as DeltaReport;
    expect(again.message).toMatch(/already running/);
    await until(async () => (await status()).rounds >= 1, 60_000, 'restarted watcher baseline');
    expect(await status()).toMatchObject({ intervalSeconds: 2, fullSyncsStarted: 1 });
    await signalDelta(operator, 'stop', { json: false });
  });
}, 90_000);

test('a round with more changed users than fullSyncAboveUsers hands them to a full sync, which applies them all', async () => {
  await sync.withWorker(async () => {
    await env.client.workflow.start(directoryWatcher, {
      workflowId: directoryWatcherWorkflowId(sync.tenantId),
      taskQueue: sync.config.taskQueue,
      args: [{ tenantId: sync.tenantId, intervalSeconds: 300, fullSyncAboveUsers: 3 }],
    });
    await until(async () => (await status()).phase === 'waiting', 60_000, 'baseline');
    const before = await status();
    const burst = syncedUsers().slice(0, 4);
    for (const user of burst) graph().updateUser(user.id, { surname: `Burst-${user.id.slice(0, 4)}` });
    await watcher().signal(pokeDirectorySignal);
    await until(
      async () => {
        const s = await status();
        return s.fullSyncsStarted === before.fullSyncsStarted + 1 && s.phase === 'waiting';
      },
      60_000,
      'full sync for the burst',
    );
    expect((await status()).lastFullSync).toMatchObject({
      reason: expect.stringMatching(/^4 users changed in one round \(more than 3\)/) as unknown,
      outcome: 'completed',
    });
    for (const user of burst)
      await until(
        () => extensionByEmail(emailOf(user.id))?.last_name === `Burst-${user.id.slice(0, 4)}`,
        20_000,
        `burst ${user.userPrincipalName}`,
      );

    // a smaller round is applied by the round itself
    const [one] = burst;
    await expectDelta(
      'update after the burst',
      () => graph().updateUser(one!.id, { jobTitle: 'After the burst' }),
      () => extensionByEmail(emailOf(one!.id))?.title === 'After the burst',
    );
    expect((await status()).fullSyncsStarted).toBe(before.fullSyncsStarted + 1);
    await watcher().signal(stopDirectorySignal);
    await watcher().result();
  });
}, 120_000);

test('numbers an admin took on the PBX behind the sync are skipped: the new hire gets the next free one', async () => {
  // An admin's extensions on the lowest numbers the PBX does not hold: whichever the planner picks is refused.
  const held = new Set(extensions().map((e) => e.number));
  const adminNumbers: string[] = [];
  for (let n = 1000; adminNumbers.length < 5; n++) if (!held.has(String(n))) adminNumbers.push(String(n));
  const deps = buildDependencies(sync.config);
  try {
    for (const number of adminNumbers)
      await deps.pbx.createExtension({
        number,
        firstName: 'Admin',
        lastName: number,
        email: `admin.${number}@example.com`,
      });
  } finally {
    await deps.close();
  }

  await sync.withWorker(async () => {
    await env.client.workflow.start(directoryWatcher, {
      workflowId: directoryWatcherWorkflowId(sync.tenantId),
      taskQueue: sync.config.taskQueue,
      args: [{ tenantId: sync.tenantId, intervalSeconds: 300 }],
    });
    await until(async () => (await status()).phase === 'waiting', 60_000, 'baseline');
    const email = `admin.race@${DOMAIN}`;
    await expectDelta(
      'create past numbers an admin took',
      () => {
        const id = graph().createUser({
          userPrincipalName: email,
          displayName: 'Admin Race',
          givenName: 'Admin',
          surname: 'Race',
          mail: email,
          accountEnabled: true,
        }).id;
        graph().addMember(groupId, id);
      },
      () => extensionByEmail(email) !== undefined,
    );
    expect(adminNumbers).not.toContain(extensionByEmail(email)!.number);
    for (const number of adminNumbers)
      expect(extensions().find((e) => e.number === number)?.email_addr).toBe(`admin.${number}@example.com`);
    await watcher().signal(stopDirectorySignal);
    await watcher().result();
  });
}, 120_000);
