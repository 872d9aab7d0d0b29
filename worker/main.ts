import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadTemporalConnectConfig, loadWorkerConfig } from '../config/index.js';
import { installRuntime } from './runtime.js';
import { startWorker } from './start-worker.js';

async function run(): Promise<void> {
  installRuntime();
  const config = loadWorkerConfig();
  const temporal = loadTemporalConnectConfig();
  const namespace = temporal.namespace ?? 'default';
  const native = await NativeConnection.connect(temporal.connectionOptions);
  const clientConnection = await Connection.connect(temporal.connectionOptions);
  try {
    const worker = await startWorker(config, {
      native,
      client: new Client({ connection: clientConnection, namespace }),
      namespace,
    });
    if (worker.receiver)
      console.log(
        `worker: change notifications for ${config.notifications!.publicUrl} received at ${worker.receiver.url}`,
      );
    console.log(
      `worker: polling task queue "${config.taskQueue}" on ${temporal.connectionOptions.address} (namespace ${namespace}); Ctrl-C stops it`,
    );
    // The SDK's Runtime turns SIGINT/SIGTERM into a graceful shutdown, which settles `running`.
    await worker.running;
  } finally {
    await clientConnection.close();
    await native.close();
  }
}

run().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
