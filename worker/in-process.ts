import { NativeConnection } from '@temporalio/worker';
import { createActivities, type Activities } from '../activities/index.js';
import type { WorkerConfig } from '../config/index.js';
import { createWorker } from './create-worker.js';
import { buildDependencies } from './dependencies.js';

export interface InProcessWorker {
  /** Graceful: waits for the worker to drain, then releases the PBX session and the connection. */
  stop(): Promise<void>;
}

/** The worker `worker/main.ts` runs, inside another program (the demo, a benchmark). */
export async function startInProcessWorker(
  config: WorkerConfig,
  temporalAddress: string,
  wrapActivities: (activities: Activities) => object = (activities) => activities,
): Promise<InProcessWorker> {
  const deps = buildDependencies(config);
  const connection = await NativeConnection.connect({ address: temporalAddress });
  const worker = await createWorker({
    connection,
    namespace: 'default',
    taskQueue: config.taskQueue,
    activities: wrapActivities(createActivities(deps)),
  });
  const running = worker.run();
  return {
    async stop() {
      worker.shutdown();
      await running;
      await deps.close();
      await connection.close();
    },
  };
}
