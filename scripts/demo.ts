/**
 * The demo: a Temporal dev server, the Graph/Entra and Yeastar simulators with a generated tenant, a worker,
 * a full sync, then the directory watcher and one Entra change timed to the PBX. Everything binds to 127.0.0.1; state is kept under .data/ so a second run is a re-sync.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { DEMO_PROFILE, loadWorkerConfig } from '../config/index.js';
import { startDelta } from '../client/commands/delta.js';
import { startFullSync } from '../client/commands/sync.js';
import { installRuntime } from '../worker/runtime.js';
import { startDevServer } from '../harness/temporal-dev-server.js';
import { startSimulatedWorld } from '../harness/simulated-world.js';
import { directoryStatusQuery, directoryWatcherWorkflowId } from '../contracts/index.js';
import { startLocalWorker } from '../harness/local-worker.js';

const DATA_DIR = resolve(import.meta.dirname, '../.data/demo');
const users = Number(process.env.DEMO_USERS ?? 200);
const exitAfterSync = process.argv.includes('--exit-after-sync');
/** How long the demo waits for the directory watcher to baseline, and then for one change to arrive. */
const DELTA_DEMO_TIMEOUT_MS = 120_000;

/**
 * The demo's policy (unless ENTRA_PBX_CONFIG_FILE names another): a few of the generated groups become PBX
 * extension groups and organizations, so the demo shows groups as well as users.
 */
function demoPolicyFile(groups: { id: string; displayName: string }[]): string {
  const file = resolve(DATA_DIR, 'config.json');
  const chosen = groups
    .filter((g) => g.displayName !== 'Guests')
    .slice(0, 3)
    .map((g) => g.id);
  mkdirSync(DATA_DIR, { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({
      sync: { groups: { extensionGroups: chosen, organizationSource: 'groups', organizationGroups: chosen } },
    }),
  );
  return file;
}

/** What the CLI needs to reach this demo from another shell with nothing set (see config/cli-profile.ts). */
function writeCliProfile(env: Record<string, string>): void {
  writeFileSync(resolve(import.meta.dirname, '..', DEMO_PROFILE), JSON.stringify(env, null, 2));
}

/** The subscriptions' clientState, kept with the demo's data: subscriptions outlive a restart, as Graph's do. */
function demoClientState(): string {
  const file = resolve(DATA_DIR, 'notification-client-state');
  if (!existsSync(file)) {
    mkdirSync(DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8');
}

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
  GRAPH_NOTIFICATION_CLIENT_STATE: demoClientState(),
  ENTRA_PBX_CONFIG_FILE:
    process.env.ENTRA_PBX_CONFIG_FILE ?? demoPolicyFile(world.graph.control.listGroups()),
});
writeCliProfile({
  ENTRA_TENANT_ID: config.graph.tenantId,
  ENTRA_PBX_TASK_QUEUE: config.taskQueue,
  TEMPORAL_ADDRESS: temporal.address,
  TEMPORAL_UI_URL: temporal.uiUrl!,
});
const worker = await startLocalWorker(config, temporal.address);
const receiver = worker.receiver!;

console.log(`
Temporal Web UI     ${temporal.uiUrl}
PBX status page     ${world.pbx.url}/status
Graph simulator     ${world.graph.url}  (tenant ${world.graph.tenantId}, ${users} generated users)
`);

const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection });
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
console.log(await startDelta(operator, { json: false }));
await showDeltaSync();

/**
 * Delta sync at work: once the directory watcher has baselined and subscribed, one Entra change (a job title,
 * made through the Graph simulator's control API) and the time until the PBX shows it.
 */
async function showDeltaSync(): Promise<void> {
  const watcher = client.workflow.getHandle(directoryWatcherWorkflowId(config.graph.tenantId));
  const ready = async () => {
    const state = await watcher.query(directoryStatusQuery).catch(() => undefined);
    return state?.phase === 'waiting' && (state.notifications?.subscriptions.length ?? 0) > 0;
  };
  const readyBy = Date.now() + DELTA_DEMO_TIMEOUT_MS;
  while (!(await ready()) && Date.now() < readyBy) await sleep(250);
  const extensionOf = (email: string) =>
    world.pbx.control.state().extensions.find((e) => e.enabled && e.email_addr.toLowerCase() === email);
  const emailOf = (u: { mail: string | null; userPrincipalName: string }) =>
    (u.mail ?? u.userPrincipalName).toLowerCase();
  const users = world.graph.control.listUsers();
  // Someone who owns their extension: the generated tenant gives a few users another user's email on purpose.
  const user = users.find(
    (u) =>
      u.accountEnabled &&
      extensionOf(emailOf(u)) &&
      users.filter((other) => emailOf(other) === emailOf(u)).length === 1,
  );
  if (!user || !(await ready())) {
    console.log(
      'Delta sync: the directory watcher is not ready yet; see `npm run cli -- sync delta status`.',
    );
    return;
  }
  const email = emailOf(user);
  const jobTitle = `Demo change ${new Date().toISOString().slice(11, 19).replaceAll(':', '')}`;
  const changedAt = Date.now();
  const pokes = receiver.stats.pokes;
  world.graph.control.updateUser(user.id, { jobTitle });
  while (extensionOf(email)?.title !== jobTitle && Date.now() - changedAt < DELTA_DEMO_TIMEOUT_MS)
    await sleep(50);
  const extension = extensionOf(email);
  console.log(
    extension?.title === jobTitle
      ? `Delta sync: ${user.displayName}'s job title changed in Entra ID; extension ${extension.number} on the PBX ` +
          `had it ${Date.now() - changedAt} ms later (${receiver.stats.pokes > pokes ? 'a change notification woke the directory watcher' : 'found by polling'}).`
      : `Delta sync: the change to ${user.displayName} has not reached the PBX yet; see \`sync delta status\`.`,
  );
}

async function shutdown(): Promise<void> {
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
