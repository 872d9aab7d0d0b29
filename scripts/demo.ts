/**
 * The demo: a Temporal dev server, the Graph/Entra and Yeastar simulators with a generated tenant, a worker,
 * and a full sync. Everything binds to 127.0.0.1; state is kept under .data/ so a second run is a re-sync.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { loadWorkerConfig } from '../config/index.js';
import { startFullSync } from '../client/commands/sync.js';
import { startInProcessWorker } from '../worker/in-process.js';
import { startNotificationReceiver } from '../worker/notifications.js';
import { installRuntime } from '../worker/runtime.js';
import { startDevServer } from './dev-server.js';
import { startSimulatedWorld } from './demo-environment.js';

const DATA_DIR = resolve(import.meta.dirname, '../.data/demo');
const users = Number(process.env.DEMO_USERS ?? 200);
const exitAfterSync = process.argv.includes('--exit-after-sync');

installRuntime();
const temporal = await startDevServer({
  dbFile: resolve(DATA_DIR, 'temporal.sqlite'),
  port: Number(process.env.DEMO_TEMPORAL_PORT ?? 7233),
});
const world = await startSimulatedWorld({
  users,
  dataDir: DATA_DIR,
  graphPort: Number(process.env.DEMO_GRAPH_PORT ?? 8443),
  pbxPort: Number(process.env.DEMO_PBX_PORT ?? 8088),
});
// Change notifications: the simulator delivers to http:// on loopback (Graph itself only to https).
const notificationPort = Number(process.env.DEMO_NOTIFICATION_PORT ?? 8444);
const config = loadWorkerConfig({
  ...world.env,
  GRAPH_NOTIFICATION_URL: `http://127.0.0.1:${notificationPort}/notifications`,
  GRAPH_NOTIFICATION_PORT: String(notificationPort),
  GRAPH_NOTIFICATION_CLIENT_STATE: randomBytes(24).toString('base64url'),
  ENTRA_PBX_CONFIG_FILE: process.env.ENTRA_PBX_CONFIG_FILE,
});
const worker = await startInProcessWorker(config, temporal.address);

console.log(`
Temporal Web UI     ${temporal.uiUrl}
PBX status page     ${world.pbx.url}/status
Graph simulator     ${world.graph.url}  (tenant ${world.graph.tenantId}, ${users} generated users)
`);

const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection });
const receiver = await startNotificationReceiver({
  client,
  tenantId: config.graph.tenantId,
  clientState: config.notifications!.clientState.reveal(),
  port: config.notifications!.listenPort,
});
console.log(
  `Graph change notifications are received at ${receiver.url}: \`sync delta start\` subscribes and reacts in about a second`,
);
// The CLI's own command: progress, the plan, and (when the tenant shrank a lot) the approval it waits for.
const operator = {
  client,
  config: {
    taskQueue: config.taskQueue,
    graph: { tenantId: config.graph.tenantId },
    temporalUiUrl: temporal.uiUrl!,
  },
  address: temporal.address,
  close: () => connection.close(),
};
console.log(await startFullSync(operator, { dryRun: false, wait: true, json: false }));

async function shutdown(): Promise<void> {
  await receiver.close();
  await worker.stop();
  await connection.close();
  await world.stop();
  await temporal.stop();
}

if (exitAfterSync) {
  await shutdown();
  // A run still waiting for approval keeps a result long-poll open; it is abandoned with the process.
  process.exit(0);
} else {
  console.log(
    '\nThe worker keeps running: try `npm run cli -- --help` in another shell (Ctrl-C stops the demo).',
  );
  process.once('SIGINT', () => void shutdown().then(() => process.exit(0)));
}
