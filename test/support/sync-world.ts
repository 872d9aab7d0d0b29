import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadWorkerConfig, type WorkerConfig } from '../../config/index.js';
import type { SyncPolicyInput } from '../../model/index.js';
import {
  startSimulatedWorld,
  type SimulatedWorld,
  type SimulatedWorldOptions,
} from '../../harness/simulated-world.js';
import { startWorker, type RunningWorker } from '../../worker/start-worker.js';
import { fullSync } from '../../workflows/full-sync.js';
import { uniqueTaskQueue } from './temporal.js';
import {
  TENANT_ID,
  equals,
  fullSyncWorkflowId,
  isRunning,
  type FullSyncProgress,
} from '../../contracts/index.js';

export interface SyncWorld {
  world: SimulatedWorld;
  config: WorkerConfig;
  /** The worker configuration as environment variables (for a worker in another process). */
  env: Record<string, string>;
  tenantId: string;
  startFullSync(options?: { dryRun?: boolean }): Promise<WorkflowHandle<typeof fullSync>>;
  runFullSync(options?: { dryRun?: boolean }): Promise<FullSyncProgress>;
  /** Runs `fn` while the deployed worker wiring (with its notification receiver, if configured) polls. */
  withWorker<T>(fn: (worker: RunningWorker) => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

export interface SyncWorldOptions extends Partial<SimulatedWorldOptions> {
  users: number;
  /** A function may first create groups or users in the simulators and then name them in the policy. */
  policy?: SyncPolicyInput | ((world: SimulatedWorld) => SyncPolicyInput);
  /** More worker settings as environment variables (e.g. GRAPH_NOTIFICATION_*). */
  workerEnv?: Record<string, string>;
}

/** Both simulators, a policy file and worker settings on a fresh task queue: one isolated tenant per test file. */
export async function startSyncWorld(
  env: TestWorkflowEnvironment,
  /** Undefined when only worker processes run the world (`withWorker` would then bundle on each call). */
  workflowBundle: WorkflowBundleWithSourceMap | undefined,
  options: SyncWorldOptions,
): Promise<SyncWorld> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sync-world-'));
  // Test files share one Temporal server: a tenant of their own keeps their user entities apart.
  const world = await startSimulatedWorld({ dataDir, tenantId: randomUUID(), ...options });
  const policyFile = join(dataDir, 'config.json');
  const policy = typeof options.policy === 'function' ? options.policy(world) : (options.policy ?? {});
  writeFileSync(policyFile, JSON.stringify({ sync: policy }));
  const workerEnv = {
    ...world.env,
    ENTRA_PBX_CONFIG_FILE: policyFile,
    ENTRA_PBX_TASK_QUEUE: uniqueTaskQueue('sync'),
    ...options.workerEnv,
  };
  const config = loadWorkerConfig(workerEnv);
  const tenantId = config.graph.tenantId;

  const startFullSync = (opts: { dryRun?: boolean } = {}) =>
    env.client.workflow.start(fullSync, {
      workflowId: fullSyncWorkflowId(tenantId, new Date().toISOString()),
      taskQueue: config.taskQueue,
      args: [{ tenantId, dryRun: opts.dryRun ?? false }],
      typedSearchAttributes: [{ key: TENANT_ID, value: tenantId }],
    });

  const withWorker = async <T>(fn: (worker: RunningWorker) => Promise<T>): Promise<T> => {
    const worker = await startWorker(
      config,
      { native: env.nativeConnection, client: env.client, namespace: env.namespace ?? 'default' },
      workflowBundle ? { workflowBundle } : {},
    );
    const stopped = worker.running.then(() => {
      throw new Error('the worker stopped before the test was done');
    });
    try {
      return await Promise.race([fn(worker), stopped]);
    } finally {
      stopped.catch(() => undefined);
      await worker.stop();
    }
  };

  return {
    world,
    config,
    env: { ...workerEnv, TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS ?? '' },
    tenantId,
    startFullSync,
    runFullSync: (opts) => withWorker(async () => (await startFullSync(opts)).result()),
    withWorker,
    /**
     * Ends the world: terminates the tenant's running workflows (user entities live for ever), stops both
     * simulators and removes the world's data directory.
     */
    async stop() {
      const running: string[] = [];
      for await (const execution of env.client.workflow.list({
        query: [equals(TENANT_ID, tenantId), isRunning].join(' AND '),
      }))
        running.push(execution.workflowId);
      await Promise.all(
        running.map((id) =>
          env.client.workflow
            .getHandle(id)
            .terminate('test done')
            .catch(() => undefined),
        ),
      );
      await world.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
