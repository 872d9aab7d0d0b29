import { createServer } from 'node:net';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { describeWatcher } from '../client/commands/delta.js';
import { buildDependencies } from '../worker/dependencies.js';
import { directoryWatcher } from '../workflows/directory-watcher.js';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';
import {
  directoryStatusQuery,
  directoryWatcherWorkflowId,
  stopDirectorySignal,
  type DirectoryWatcherInput,
  type DirectoryWatcherState,
} from '../contracts/index.js';
import { until } from './support/until.js';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sync: SyncWorld;
const CLIENT_STATE = 'test-client-state-0123456789';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflows();
  const port = await freePort();
  sync = await startSyncWorld(env, bundle, {
    users: 6,
    seed: 5,
    workerEnv: {
      GRAPH_NOTIFICATION_URL: `http://127.0.0.1:${port}/notifications`,
      GRAPH_NOTIFICATION_PORT: String(port),
      GRAPH_NOTIFICATION_CLIENT_STATE: CLIENT_STATE,
    },
  });
  await sync.runFullSync();
}, 120_000);

afterAll(async () => {
  await sync?.stop();
  await env?.teardown();
});

const graph = () => sync.world.graph.control;
const extensionByEmail = (email: string) =>
  sync.world.pbx.control.state().extensions.find((e) => e.email_addr.toLowerCase() === email.toLowerCase());
const emailOf = (id: string) => {
  const user = graph().getUser(id)!;
  return user.mail ?? user.userPrincipalName;
};
const syncedUsers = () =>
  graph()
    .listUsers()
    .filter((u) => extensionByEmail(u.mail ?? u.userPrincipalName)?.enabled);

const watcher = (): WorkflowHandle<typeof directoryWatcher> =>
  env.client.workflow.getHandle(directoryWatcherWorkflowId(sync.tenantId));
const status = (): Promise<DirectoryWatcherState> => watcher().query(directoryStatusQuery);
const patches = () =>
  graph()
    .counters()
    .recent.filter((r) => r.method === 'PATCH' && r.path.includes('/subscriptions/'));

async function startWatcher(input: Omit<DirectoryWatcherInput, 'tenantId'>): Promise<void> {
  await env.client.workflow.start(directoryWatcher, {
    workflowId: directoryWatcherWorkflowId(sync.tenantId),
    taskQueue: sync.config.taskQueue,
    args: [{ tenantId: sync.tenantId, ...input }],
  });
  await until(
    async () => {
      const s = await status();
      return s.rounds >= 1 && s.phase === 'waiting' && s.notifications?.subscriptions.length === 2;
    },
    60_000,
    'watcher baselined and subscribed',
  );
}

async function stopWatcher(): Promise<DirectoryWatcherState> {
  await watcher().signal(stopDirectorySignal);
  return watcher().result();
}

test('with notifications on, a change reaches the PBX in seconds although the watcher polls every 300 s', async () => {
  await sync.withWorker(async ({ receiver }) => {
    await startWatcher({ intervalSeconds: 300 });
    const s = await status();
    expect(s.notifications).toMatchObject({ enabled: true, created: 2, renewed: 0 });
    expect(s.notifications!.subscriptions.map((x) => x.resource).sort()).toEqual(['groups', 'users']);
    // the watcher's state and history never carry the clientState
    expect(JSON.stringify(s)).not.toContain(CLIENT_STATE);
    const shown = describeWatcher(s);
    expect(shown).toMatch(/notifications\s+users \S+ expires in \d+ s/);
    expect(shown).toContain('2 created, 0 renewed');

    const [a] = syncedUsers();
    const rounds = s.rounds;
    const started = Date.now();
    graph().updateUser(a!.id, { surname: 'Notified' });
    await until(() => extensionByEmail(emailOf(a!.id))?.last_name === 'Notified', 30_000, 'notified');
    const latency = Date.now() - started;
    console.log(`notification latency (Graph change → PBX write, no poke): ${latency} ms`);
    // The watcher polls every 300 s: arriving in seconds means the notification woke it.
    expect(latency).toBeLessThan(30_000);
    expect((await status()).rounds).toBeGreaterThan(rounds);
    expect(receiver!.stats.accepted).toBeGreaterThan(0);
    expect(graph().notificationStats().delivered).toBeGreaterThan(0);

    const history = await watcher().fetchHistory();
    expect(JSON.stringify(history)).not.toContain(CLIENT_STATE);

    const stopped = await stopWatcher();
    // a stopped watcher deletes its subscriptions
    expect(stopped.notifications?.subscriptions).toEqual([]);
  });
}, 120_000);

test('with delivery failing, polling still brings the change', async () => {
  graph().setNotificationDelivery('fail');
  try {
    await sync.withWorker(async () => {
      await startWatcher({ intervalSeconds: 2 });
      const [, b] = syncedUsers();
      const failedBefore = graph().notificationStats().failed;
      graph().updateUser(b!.id, { surname: 'Polled' });
      await until(() => extensionByEmail(emailOf(b!.id))?.last_name === 'Polled', 20_000, 'polled');
      expect(graph().notificationStats().failed).toBeGreaterThan(failedBefore);
      await stopWatcher();
    });
  } finally {
    graph().setNotificationDelivery('on');
  }
}, 120_000);

test('subscriptions are renewed before they expire, and recreated when Graph no longer knows them', async () => {
  await sync.withWorker(async () => {
    const patchesBefore = patches().length;
    await startWatcher({ intervalSeconds: 300, subscriptionLifetimeSeconds: 6 });
    await until(async () => (await status()).notifications!.renewed >= 2, 20_000, 'renewed');
    expect(patches().length).toBeGreaterThan(patchesBefore);
    expect(patches().some((p) => p.status === 200)).toBe(true);
    const s = await status();
    for (const sub of s.notifications!.subscriptions)
      expect(Date.parse(sub.expiresAt)).toBeGreaterThan(Date.now());

    // removed behind the watcher's back: the next renewal's 404 subscribes again
    const deps = buildDependencies(sync.config);
    try {
      const users = s.notifications!.subscriptions.find((x) => x.resource === 'users')!;
      await deps.graph.deleteSubscription(users.id);
      await until(
        async () => {
          const now = (await status()).notifications!;
          return now.subscriptions.some((x) => x.resource === 'users' && x.id !== users.id);
        },
        20_000,
        'recreated',
      );
      expect((await deps.graph.listSubscriptions()).map((x) => x.id)).not.toContain(users.id);
    } finally {
      await deps.close();
    }

    // the recreated subscription delivers: a change arrives without polling
    const [, , c] = syncedUsers();
    graph().updateUser(c!.id, { surname: 'AfterRecreate' });
    await until(
      () => extensionByEmail(emailOf(c!.id))?.last_name === 'AfterRecreate',
      10_000,
      'after recreate',
    );
    expect((await status()).lastError).toBeUndefined();
    await stopWatcher();
  });
}, 120_000);

test('lifecycle notifications: missed and reauthorizationRequired renew and run a round, subscriptionRemoved subscribes again', async () => {
  await sync.withWorker(async () => {
    await startWatcher({ intervalSeconds: 300 });
    const before = (await status()).notifications!;
    const users = before.subscriptions.find((x) => x.resource === 'users')!;
    expect(
      graph()
        .listSubscriptions()
        .map((x) => x.id),
    ).toContain(users.id);

    // missed and reauthorizationRequired: the watcher renews (PATCH) at once and runs a round
    for (const event of ['missed', 'reauthorizationRequired'] as const) {
      const { rounds, notifications } = await status();
      const patchesBefore = patches().length;
      expect(await graph().sendLifecycleEvent(users.id, event)).toBe(true);
      await until(
        async () => {
          const s = await status();
          return (
            s.notifications!.lastLifecycleEvent?.event === event &&
            s.notifications!.renewed > notifications!.renewed &&
            s.rounds > rounds
          );
        },
        20_000,
        `renewed after ${event}`,
      );
      expect(patches().length).toBeGreaterThan(patchesBefore);
      expect(patches().some((p) => p.path.includes(users.id) && p.status === 200)).toBe(true);
    }

    // subscriptionRemoved: Graph dropped the subscription; the watcher subscribes again
    expect(await graph().sendLifecycleEvent(users.id, 'subscriptionRemoved')).toBe(true);
    expect(
      graph()
        .listSubscriptions()
        .map((x) => x.id),
    ).not.toContain(users.id);
    let recreated = '';
    await until(
      async () => {
        const now = (await status()).notifications!;
        recreated = now.subscriptions.find((x) => x.resource === 'users' && x.id !== users.id)?.id ?? '';
        return now.lastLifecycleEvent?.event === 'subscriptionRemoved' && recreated !== '';
      },
      20_000,
      'recreated after subscriptionRemoved',
    );
    expect(
      graph()
        .listSubscriptions()
        .map((x) => x.id),
    ).toContain(recreated);

    // the new subscription delivers: a change arrives without polling (the interval is 300 s)
    const [, , , d] = syncedUsers();
    graph().updateUser(d!.id, { surname: 'AfterLifecycle' });
    await until(
      () => extensionByEmail(emailOf(d!.id))?.last_name === 'AfterLifecycle',
      10_000,
      'after subscriptionRemoved',
    );
    expect((await status()).lastError).toBeUndefined();
    await stopWatcher();
  });
}, 120_000);
