import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities/index.js';
import type { VisibilityOf } from '../activities/sync/user-entities.js';
import type { WorkerConfig } from '../config/index.js';
import { buildDependencies, type WorkerDependencies } from './dependencies.js';
import { startNotificationReceiver, type NotificationReceiver } from './notifications.js';

/** Longer than one PBX request's timeout (15 s) plus the activity's own bookkeeping. */
const SHUTDOWN_GRACE = '20 seconds';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Where the worker polls, and the client its notification receiver signals through. */
export interface TemporalConnection {
  native: NativeConnection;
  client: Client;
  namespace: string;
}

export interface StartWorkerOptions {
  /** Pre-built bundle (tests bundle once per file); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  identity?: string;
  /** Benchmarks wrap the activities to count or time them; production runs them as they are. */
  wrapActivities?: (activities: Activities) => object;
  /** Tests read visibility through a lagging view, as Elasticsearch-backed clusters answer; default as it is. */
  visibilityOf?: VisibilityOf;
}

export interface RunningWorker {
  worker: Worker;
  /** The worker's Graph and PBX clients (tests use them to set up a scenario the way an admin would). */
  deps: WorkerDependencies;
  /** Present when the configuration has Graph change notifications. */
  receiver?: NotificationReceiver;
  /** Settles when the worker has stopped: a `stop()`, or SIGINT/SIGTERM through the SDK's runtime. */
  running: Promise<void>;
  /** Graceful: stops polling, lets running activities finish, closes the receiver and the PBX session. */
  stop(): Promise<void>;
}

/**
 * The one composition root: one Graph client, one PBX session, the activities, the worker and (when
 * configured) the change-notification receiver. `worker/main.ts`, the demo, the benchmarks and the tests all
 * start the worker here, so they run the deployed wiring. The caller owns the Temporal connection.
 */
export async function startWorker(
  config: WorkerConfig,
  temporal: TemporalConnection,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  const deps = buildDependencies(config);
  let receiver: NotificationReceiver | undefined;
  try {
    if (config.notifications)
      receiver = await startNotificationReceiver({
        client: temporal.client,
        tenantId: config.graph.tenantId,
        clientState: config.notifications.clientState.reveal(),
        port: config.notifications.listenPort,
        host: config.notifications.bindAddress,
      });
    const stopping = new AbortController();
    const activities = createActivities({
      ...deps,
      stopping: stopping.signal,
      ...(options.visibilityOf ? { visibilityOf: options.visibilityOf } : {}),
    });
    const worker = await Worker.create({
      connection: temporal.native,
      namespace: temporal.namespace,
      taskQueue: config.taskQueue,
      activities: options.wrapActivities ? options.wrapActivities(activities) : activities,
      ...(options.workflowBundle
        ? { workflowBundle: options.workflowBundle }
        : { workflowsPath: WORKFLOWS_PATH }),
      ...(options.identity ? { identity: options.identity } : {}),
      // A stopping worker lets activities in flight finish (a PBX request times out after 15 s) before it
      // cancels them: a write the PBX made is then recorded instead of being repeated elsewhere.
      shutdownGraceTime: SHUTDOWN_GRACE,
    });
    const release = async () => {
      await receiver?.close();
      await deps.close();
    };
    const running = worker.run().finally(release);
    return {
      worker,
      deps,
      ...(receiver ? { receiver } : {}),
      running,
      async stop() {
        stopping.abort();
        if (worker.getState() === 'RUNNING') worker.shutdown();
        await running;
      },
    };
  } catch (error) {
    await receiver?.close();
    await deps.close();
    throw error;
  }
}
