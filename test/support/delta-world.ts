import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  directoryStatusQuery,
  directoryWatcherWorkflowId,
  pokeDirectorySignal,
  type DirectoryWatcherInput,
  type DirectoryWatcherState,
} from '../../contracts/index.js';
import { startWorker, type RunningWorker } from '../../worker/start-worker.js';
import { directoryWatcher } from '../../workflows/directory-watcher.js';
import { emailOf } from '../../harness/expected-directory.js';
import { startSyncWorld, type SyncWorld, type SyncWorldOptions } from './sync-world.js';
import { until } from './until.js';

export const DOMAIN = 'contoso.onmicrosoft.com';

/**
 * A synced tenant whose users all sit in one chosen group ("Phones"), a worker that runs for the world's whole
 * life, and the tenant's directory watcher: what the delta tests share. `stop()` terminates a watcher a failed
 * test left running, so the next test starts clean.
 */
export interface DeltaWorld {
  sync: SyncWorld;
  worker: RunningWorker;
  groupId: string;
  watcher(): WorkflowHandle<typeof directoryWatcher>;
  status(): Promise<DirectoryWatcherState>;
  /** Starts the watcher and waits for its baseline (full sync) and first round. */
  startWatcher(input?: Omit<DirectoryWatcherInput, 'tenantId'>): Promise<DirectoryWatcherState>;
  /** Terminates the watcher if it runs (a test's leftovers never reach the next test). */
  endWatcher(): Promise<void>;
  extensions(): ReturnType<SyncWorld['world']['pbx']['control']['state']>['extensions'];
  extensionOf(userId: string): ReturnType<DeltaWorld['extensions']>[number] | undefined;
  /** Synced users: in the chosen group, enabled, with an extension carrying their email. */
  syncedUsers(): ReturnType<SyncWorld['world']['graph']['control']['listUsers']>;
  /** Makes a change in Graph, pokes the watcher (as a notification would) and waits for the PBX to show it. */
  expectDelta(what: string, change: () => void, reached: () => boolean): Promise<number>;
  stop(): Promise<void>;
}

export async function startDeltaWorld(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  options: Partial<SyncWorldOptions> & { offboarding?: { maxCount: number; maxPercent: number } } = {},
): Promise<DeltaWorld> {
  let groupId = '';
  const { offboarding, ...rest } = options;
  const sync = await startSyncWorld(env, bundle, {
    users: 12,
    seed: 11,
    ...rest,
    policy: (world) => {
      const graph = world.graph.control;
      groupId = graph.createGroup({ displayName: 'Phones' }).id;
      for (const user of graph.listUsers()) graph.addMember(groupId, user.id);
      return { scope: { groups: [groupId] }, offboarding: offboarding ?? { maxCount: 5, maxPercent: 50 } };
    },
  });
  await sync.runFullSync();
  const worker = await startWorker(
    sync.config,
    { native: env.nativeConnection, client: env.client, namespace: env.namespace ?? 'default' },
    { workflowBundle: bundle },
  );
  const graph = () => sync.world.graph.control;
  const watcher = () =>
    env.client.workflow.getHandle<typeof directoryWatcher>(directoryWatcherWorkflowId(sync.tenantId));
  const status = () => watcher().query(directoryStatusQuery);
  const extensions = () => sync.world.pbx.control.state().extensions;
  const extensionOf = (userId: string) => {
    const user = graph().getUser(userId);
    return user ? extensions().find((e) => e.email_addr.toLowerCase() === emailOf(user)) : undefined;
  };
  const endWatcher = async () => {
    const running = await watcher()
      .describe()
      .then((d) => d.status.name === 'RUNNING')
      .catch(() => false);
    if (running) await watcher().terminate('test done');
  };

  return {
    sync,
    worker,
    groupId,
    watcher,
    status,
    async startWatcher(input = {}) {
      await endWatcher();
      await env.client.workflow.start(directoryWatcher, {
        workflowId: directoryWatcherWorkflowId(sync.tenantId),
        taskQueue: sync.config.taskQueue,
        args: [{ tenantId: sync.tenantId, intervalSeconds: 300, ...input }],
      });
      await until(
        async () => {
          const s = await status();
          return s.rounds >= 1 && s.phase === 'waiting';
        },
        90_000,
        'the watcher baselined',
      );
      return status();
    },
    endWatcher,
    extensions,
    extensionOf,
    syncedUsers: () =>
      graph()
        .listUsers()
        .filter((u) => extensionOf(u.id)?.enabled),
    async expectDelta(what, change, reached) {
      const started = Date.now();
      change();
      await watcher().signal(pokeDirectorySignal);
      await until(reached, 30_000, what);
      return Date.now() - started;
    },
    async stop() {
      await endWatcher();
      await worker.stop();
      await sync.stop();
    },
  };
}
