import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Activities } from '../activities/index.js';
import {
  directoryStatusQuery,
  directoryWatcherWorkflowId,
  pokeDirectorySignal,
  type DeltaRoundInput,
} from '../contracts/index.js';
import { startWorker, type RunningWorker } from '../worker/start-worker.js';
import { directoryWatcher } from '../workflows/directory-watcher.js';
import { emailOf } from '../harness/expected-directory.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';
import { until } from './support/until.js';

/**
 * A bulk change (20 users, `fullSyncAboveUsers` 3) on the real server and simulators: the round hands it to a
 * full sync, every change reaches the PBX, and the round's heartbeat details never carry more ids than the
 * threshold. The worker records each heartbeat of `deltaRound` as it is made (its size and its id lists).
 */
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sync: SyncWorld | undefined;
let worker: RunningWorker | undefined;

interface Beat {
  bytes: number;
  ids: number;
}
const beats: Beat[] = [];

const idsIn = (details: unknown): number => {
  if (typeof details !== 'object' || details === null) return 0;
  const lists = ['userIds', 'groupMemberIds', 'nestedGroupIds', 'removedGroupIds'] as const;
  return lists.reduce((sum, key) => {
    const list = (details as Record<string, unknown>)[key];
    return sum + (Array.isArray(list) ? list.length : 0);
  }, 0);
};

/** `deltaRound`, recording every heartbeat it makes (serialized as Temporal would, at the moment it is made). */
const recordingHeartbeats = (activities: Activities) => ({
  ...activities,
  async deltaRound(input: DeltaRoundInput) {
    // The SDK's heartbeat is a plain (read-only typed) property of this activity's context: wrap it.
    const context = Context.current() as { heartbeat: (details?: unknown) => void };
    const heartbeat = context.heartbeat;
    context.heartbeat = (details?: unknown) => {
      beats.push({ bytes: JSON.stringify(details ?? null).length, ids: idsIn(details) });
      heartbeat(details);
    };
    return activities.deltaRound(input);
  },
});

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflows();
});

afterAll(async () => {
  if (sync) {
    const watcher = env.client.workflow.getHandle(directoryWatcherWorkflowId(sync.tenantId));
    await watcher.terminate('test done').catch(() => undefined);
  }
  await worker?.stop();
  await sync?.stop();
  await env?.teardown();
});

test('a bulk change past fullSyncAboveUsers goes to a full sync with small heartbeats, and every change reaches the PBX', async () => {
  let groupId = '';
  sync = await startSyncWorld(env, bundle, {
    users: 30,
    seed: 12,
    policy: (world) => {
      const graph = world.graph.control;
      groupId = graph.createGroup({ displayName: 'Phones' }).id;
      for (const user of graph.listUsers()) graph.addMember(groupId, user.id);
      return { scope: { groups: [groupId] }, offboarding: { maxCount: 5, maxPercent: 50 } };
    },
  });
  expect(groupId).not.toBe('');
  await sync.runFullSync();
  const world = sync.world;
  const graph = world.graph.control;
  const extensionOf = (userId: string) => {
    const user = graph.getUser(userId);
    return user
      ? world.pbx.control.state().extensions.find((e) => e.email_addr.toLowerCase() === emailOf(user))
      : undefined;
  };
  worker = await startWorker(
    sync.config,
    { native: env.nativeConnection, client: env.client, namespace: env.namespace ?? 'default' },
    { workflowBundle: bundle, wrapActivities: recordingHeartbeats },
  );
  const watcher = env.client.workflow.getHandle<typeof directoryWatcher>(
    directoryWatcherWorkflowId(sync.tenantId),
  );
  await env.client.workflow.start(directoryWatcher, {
    workflowId: directoryWatcherWorkflowId(sync.tenantId),
    taskQueue: sync.config.taskQueue,
    args: [{ tenantId: sync.tenantId, intervalSeconds: 300, fullSyncAboveUsers: 3 }],
  });
  const status = () => watcher.query(directoryStatusQuery);
  await until(
    async () => {
      const s = await status();
      return s.rounds >= 1 && s.phase === 'waiting';
    },
    90_000,
    'the watcher baselined',
  );
  const before = await status();

  // Five users per delta page: the round heartbeats after each of its pages.
  graph.configure({ deltaPageSize: 5 });
  const burst = graph
    .listUsers()
    .filter((u) => extensionOf(u.id)?.enabled)
    .slice(0, 20);
  expect(burst).toHaveLength(20);
  beats.length = 0;
  for (const user of burst) graph.updateUser(user.id, { surname: `Bulk-${user.id.slice(0, 6)}` });
  await watcher.signal(pokeDirectorySignal);
  await until(
    async () => {
      const s = await status();
      return s.fullSyncsStarted === before.fullSyncsStarted + 1 && s.phase === 'waiting';
    },
    90_000,
    'the full sync for the bulk change',
  );
  expect((await status()).lastFullSync).toMatchObject({
    reason: expect.stringMatching(/^\d+ users changed in one round \(more than 3\)/) as unknown,
    outcome: 'completed',
  });
  for (const user of burst)
    await until(
      () => extensionOf(user.id)?.last_name === `Bulk-${user.id.slice(0, 6)}`,
      30_000,
      `bulk change of ${user.userPrincipalName}`,
    );

  // The round paged all 20 changes (4 pages), yet no heartbeat carried more ids than the threshold.
  expect(beats.length).toBeGreaterThanOrEqual(4);
  const largest = beats.reduce((max, beat) => (beat.bytes > max.bytes ? beat : max), beats[0]!);
  console.log(
    `deltaRound heartbeats: ${beats.length}, largest ${largest.bytes} bytes, at most ${Math.max(...beats.map((b) => b.ids))} ids`,
  );
  expect(Math.max(...beats.map((b) => b.ids))).toBeLessThanOrEqual(3);
  expect(largest.bytes).toBeLessThan(2_000);
}, 240_000);
