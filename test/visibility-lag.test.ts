import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  directoryStatusQuery,
  directoryWatcherWorkflowId,
  pokeDirectorySignal,
  stopDirectorySignal,
} from '../contracts/index.js';
import { laggingVisibility } from '../harness/lagging-visibility.js';
import { startWorker, type RunningWorker } from '../worker/start-worker.js';
import { directoryWatcher } from '../workflows/directory-watcher.js';
import { emailOf } from '../harness/expected-directory.js';
import { userEntitiesIdle } from './support/in-flight.js';
import { expectExactPbxState } from './support/pbx-expectations.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';
import { until } from './support/until.js';

/**
 * Temporal Cloud and Elasticsearch-backed clusters answer visibility queries a second or so behind; the dev server
 * answers at once. Here the worker reads visibility 3 s behind (the link table, the number checks, convergence
 * counts), while a full sync, a second full sync right after it and delta rounds full of new hires run: the
 * crash tests' invariants must still hold. The PBX's unique-number and unique-email rules and the entities' own
 * links are what keep them.
 */
const LAG_MS = 3_000;
const DOMAIN = 'contoso.onmicrosoft.com';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sync: SyncWorld;
const workers: RunningWorker[] = [];
const lagging = laggingVisibility(LAG_MS);

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflows();
  sync = await startSyncWorld(env, bundle, { users: 120, seed: 51 });
  // One worker: a process may run only one worker per task queue.
  workers.push(
    await startWorker(
      sync.config,
      { native: env.nativeConnection, client: env.client, namespace: env.namespace ?? 'default' },
      { workflowBundle: bundle, visibilityOf: lagging },
    ),
  );
}, 120_000);

afterAll(async () => {
  await env?.client.workflow
    .getHandle(directoryWatcherWorkflowId(sync.tenantId))
    .terminate()
    .catch(() => undefined);
  for (const worker of workers) await worker.stop();
  await sync?.stop();
  await env?.teardown();
});

test('with visibility 3 s behind: no twin, no lost user, no number used twice', async () => {
  const graph = sync.world.graph.control;
  const watcher = env.client.workflow.getHandle(directoryWatcherWorkflowId(sync.tenantId));
  await env.client.workflow.start(directoryWatcher, {
    workflowId: directoryWatcherWorkflowId(sync.tenantId),
    taskQueue: sync.config.taskQueue,
    args: [{ tenantId: sync.tenantId, intervalSeconds: 300 }],
  });
  const hires: string[] = [];
  const hire = () => {
    const name = `lag.hire${hires.length + 1}`;
    graph.createUser({
      userPrincipalName: `${name}@${DOMAIN}`,
      displayName: `Lag Hire ${hires.length + 1}`,
      givenName: 'Lag',
      surname: `Hire${hires.length + 1}`,
      mail: `${name}@${DOMAIN}`,
      accountEnabled: true,
    });
    hires.push(`${name}@${DOMAIN}`.toLowerCase());
  };
  // New hires while the baseline full sync runs, then in bursts of rounds poked one after another.
  await until(
    async () => (await watcher.query(directoryStatusQuery)).phase === 'full-sync',
    60_000,
    'full sync',
  );
  for (let i = 0; i < 3; i++) hire();
  await until(
    async () => (await watcher.query(directoryStatusQuery)).phase === 'waiting',
    120_000,
    'baseline',
  );
  for (let burst = 0; burst < 4; burst++) {
    for (let i = 0; i < 3; i++) hire();
    await watcher.signal(pokeDirectorySignal);
  }
  // A second full sync at once: its link table is up to 3 s old.
  await (await sync.startFullSync()).result();
  const onPbx = () =>
    new Set(sync.world.pbx.control.state().extensions.map((e) => e.email_addr.toLowerCase()));
  await until(
    async () => {
      await watcher.signal(pokeDirectorySignal);
      return hires.every((email) => onPbx().has(email));
    },
    120_000,
    'every hire on the PBX',
  );
  await watcher.signal(stopDirectorySignal);
  await watcher.result();
  await until(() => userEntitiesIdle(env.client, sync.tenantId), 60_000, 'the entities idle');

  await expectExactPbxState(sync, env.client);
  // The lag was real: the product was served answers that the store no longer held.
  expect(lagging.stats.stale).toBeGreaterThan(0);
  const hired = graph.listUsers().filter((u) => hires.includes(emailOf(u)));
  expect(hired).toHaveLength(hires.length);
}, 420_000);
