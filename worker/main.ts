import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadTemporalConnectConfig, loadWorkerConfig } from '../config/index.js';
import { createActivities } from '../activities/index.js';
import { buildDependencies } from './dependencies.js';
import { createWorker } from './create-worker.js';
import { installRuntime } from './runtime.js';

async function run(): Promise<void> {
  installRuntime();
  const config = loadWorkerConfig();
  const temporal = loadTemporalConnectConfig();
  const deps = buildDependencies(config);
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  try {
    const worker = await createWorker({
      connection,
      namespace: temporal.namespace ?? 'default',
      taskQueue: config.taskQueue,
      activities: createActivities(deps),
    });
    console.log(
      `worker: polling task queue "${config.taskQueue}" on ${temporal.connectionOptions.address} (namespace ${temporal.namespace}); Ctrl-C stops it`,
    );
    // The SDK's Runtime turns SIGINT/SIGTERM into a graceful shutdown, which resolves run().
    await worker.run();
  } finally {
    await deps.close();
    await connection.close();
  }
}

run().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
