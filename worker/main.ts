import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadTemporalConnectConfig, loadWorkerConfig } from '../config/index.js';
import { createActivities } from '../activities/index.js';
import { buildDependencies } from './dependencies.js';
import { createWorker } from './create-worker.js';
import { startNotificationReceiver, type NotificationReceiver } from './notifications.js';
import { installRuntime } from './runtime.js';

async function run(): Promise<void> {
  installRuntime();
  const config = loadWorkerConfig();
  const temporal = loadTemporalConnectConfig();
  const deps = buildDependencies(config);
  const connection = await NativeConnection.connect(temporal.connectionOptions);
  let clientConnection: Connection | undefined;
  let receiver: NotificationReceiver | undefined;
  try {
    if (config.notifications) {
      // Graph change notifications: the receiver pokes the directory watcher, whose activity subscribes.
      clientConnection = await Connection.connect(temporal.connectionOptions);
      receiver = await startNotificationReceiver({
        client: new Client({ connection: clientConnection, namespace: temporal.namespace ?? 'default' }),
        tenantId: config.graph.tenantId,
        clientState: config.notifications.clientState.reveal(),
        port: config.notifications.listenPort,
        // Loopback (the simulator) stays on loopback; otherwise a TLS proxy in front forwards to us.
        host: ['127.0.0.1', 'localhost'].includes(new URL(config.notifications.publicUrl).hostname)
          ? '127.0.0.1'
          : '0.0.0.0',
      });
      console.log(
        `worker: change notifications for ${config.notifications.publicUrl} received on port ${new URL(receiver.url).port}`,
      );
    }
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
    await receiver?.close();
    await clientConnection?.close();
    await deps.close();
    await connection.close();
  }
}

run().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(error instanceof ConfigError ? 2 : 1);
});
