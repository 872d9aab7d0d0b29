import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import type { WorkerConfig } from '../config/index.js';
import { startWorker, type RunningWorker, type StartWorkerOptions } from '../worker/start-worker.js';

/** The deployed worker wiring (`startWorker`) on connections of its own to a local Temporal server. */
export async function startLocalWorker(
  config: WorkerConfig,
  address: string,
  options: StartWorkerOptions = {},
): Promise<RunningWorker> {
  const native = await NativeConnection.connect({ address });
  const connection = await Connection.connect({ address });
  const worker = await startWorker(
    config,
    { native, client: new Client({ connection }), namespace: 'default' },
    options,
  );
  return {
    ...worker,
    async stop() {
      await worker.stop();
      await connection.close();
      await native.close();
    },
  };
}
