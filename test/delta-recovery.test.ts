import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer, type DevServer } from '../harness/temporal-dev-server.js';
import { directoryWatcher } from '../workflows/directory-watcher.js';
import { secondsSince } from '../harness/seeded-random.js';
import { until } from './support/until.js';
import { activitiesInFlightOn, userEntitiesIdle } from './support/in-flight.js';
import { expectExactPbxState, retriedActivities } from './support/pbx-expectations.js';
import { freePort } from '../harness/ports.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process.js';
import {
  directoryStatusQuery,
  directoryWatcherWorkflowId,
  pokeDirectorySignal,
  stopDirectorySignal,
  type DirectoryWatcherState,
} from '../contracts/index.js';

/**
 * The directory watcher survives a worker kill and a Temporal server restart in the middle of a delta round:
 * every change of the batch reaches the PBX exactly once. A dedicated dev server (SQLite file) so that it can
 * be restarted; worker processes as deployed. The PBX answers slowly (300 ms a request) during the batches,
 * so a round takes seconds (it looks up each changed user's extensions) and the crash lands inside it.
 */
const DOMAIN = 'contoso.onmicrosoft.com';
const PBX_LATENCY_MS = 300;

let server: DevServer;
let dbFile = '';
let port = 0;
let temporal: TestWorkflowEnvironment;
let sync: SyncWorld;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  dbFile = join(mkdtempSync(join(tmpdir(), 'temporal-delta-restart-')), 'temporal.sqlite');
  port = await freePort();
  server = await startDevServer({ dbFile, port, headless: true });
  temporal = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  sync = await startSyncWorld(temporal, undefined, {
    users: 20,
    seed: 606,
    policy: { offboarding: { maxCount: 5, maxPercent: 50 } },
  });
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.kill('SIGKILL')));
  await sync?.stop();
  await temporal?.teardown();
  await server?.stop();
});

function spawnWorker(): WorkerProcess {
  const worker = startWorkerProcess({ ...sync.env, TEMPORAL_ADDRESS: server.address });
  workers.push(worker);
  return worker;
}

const graph = () => sync.world.graph.control;
const pbxState = () => sync.world.pbx.control.state();
const extensionsByEmail = (email: string) =>
  pbxState().extensions.filter((e) => e.email_addr.toLowerCase() === email.toLowerCase());
const emailOf = (id: string) => {
  const user = graph().getUser(id)!;
  return (user.mail ?? user.userPrincipalName).toLowerCase();
};
const watcher = (): WorkflowHandle<typeof directoryWatcher> =>
  temporal.client.workflow.getHandle(directoryWatcherWorkflowId(sync.tenantId));
const status = (): Promise<DirectoryWatcherState> => watcher().query(directoryStatusQuery);

interface Batch {
  /** New users' emails. */
  created: string[];
  /** Updated users: email → the new surname and job title. */
  updated: Map<string, { surname: string; jobTitle: string }>;
  /** The disabled user's email and id. */
  disabled: string;
  disabledId: string;
}

/** Creates, updates and a disable in the Graph simulator; `unused` are users this batch may change. */
function makeChanges(label: string, unused: string[], creates: number): Batch {
  const created: string[] = [];
  for (let i = 1; i <= creates; i++) {
    const name = `${label}.hire${i}`;
    graph().createUser({
      userPrincipalName: `${name}@${DOMAIN}`,
      displayName: `${label} Hire ${i}`,
      givenName: `${label}`,
      surname: `Hire${i}`,
      mail: `${name}@${DOMAIN}`,
      accountEnabled: true,
    });
    created.push(`${name}@${DOMAIN}`);
  }
  const updated = new Map<string, { surname: string; jobTitle: string }>();
  for (const id of unused.splice(0, 3)) {
    const patch = { surname: `${label}-Surname`, jobTitle: `${label} engineer` };
    graph().updateUser(id, patch);
    updated.set(emailOf(id), patch);
  }
  const disabledId = unused.shift()!;
  graph().disableUser(disabledId);
  return { created, updated, disabled: emailOf(disabledId), disabledId };
}

/** True once every change of the batch shows on the PBX. */
function applied(batch: Batch): boolean {
  return (
    batch.created.every((email) => extensionsByEmail(email).some((e) => e.enabled)) &&
    [...batch.updated].every(([email, patch]) =>
      extensionsByEmail(email).some((e) => e.last_name === patch.surname && e.title === patch.jobTitle),
    ) &&
    extensionsByEmail(batch.disabled).every((e) => !e.enabled)
  );
}

/** Pokes the watcher and resolves once its round activity is at work (the PBX is being read for it). */
async function pokeAndWaitForRound(): Promise<void> {
  const pbxReadsBefore = Object.values(sync.world.pbx.control.counters()).reduce((a, b) => a + b, 0);
  await watcher().signal(pokeDirectorySignal);
  await until(async () => (await status()).phase === 'round', 60_000, 'the round starts', 20);
  // The round reads each changed user's extensions, one slow PBX request after another.
  await until(
    () => Object.values(sync.world.pbx.control.counters()).reduce((a, b) => a + b, 0) > pbxReadsBefore,
    60_000,
    'the round reads the PBX',
    20,
  );
}

test('the directory watcher loses and doubles no change across a worker kill and a server restart mid-round', async () => {
  const timeline: string[] = [];
  const start = Date.now();
  let worker = spawnWorker();
  await worker.ready;
  await temporal.client.workflow.start(directoryWatcher, {
    workflowId: directoryWatcherWorkflowId(sync.tenantId),
    taskQueue: sync.config.taskQueue,
    // Rounds only when poked: the crash is timed against the round the batch's poke starts.
    args: [{ tenantId: sync.tenantId, intervalSeconds: 600 }],
  });
  await until(
    async () => {
      const s = await status();
      return s.rounds >= 1 && s.phase === 'waiting';
    },
    150_000,
    'baseline (full sync and a first round)',
    250,
  );
  const baseline = pbxState().extensions.length;
  expect(baseline).toBeGreaterThan(10);
  timeline.push(`baselined at ${secondsSince(start)}: ${baseline} extensions`);
  const unused = graph()
    .listUsers()
    .filter((u) => extensionsByEmail(u.mail ?? u.userPrincipalName).some((e) => e.enabled))
    .map((u) => u.id);
  sync.world.pbx.control.configure({ latencyMs: PBX_LATENCY_MS });

  // 1. A worker killed (SIGKILL) while the round runs; a new worker takes over (the round activity is retried
  // after its heartbeat timeout, a minute).
  const first = makeChanges('kill', unused, 3);
  await pokeAndWaitForRound();
  // The kill must hit the round while this worker runs it.
  const killed = worker;
  await until(
    async () => (await activitiesInFlightOn(temporal.client, [watcher().workflowId], killed.pid)).length > 0,
    30_000,
    'the round in flight on the worker',
    20,
  );
  expect(applied(first)).toBe(false);
  expect((await worker.kill('SIGKILL')).signal).toBe('SIGKILL');
  timeline.push(`worker killed mid-round at ${secondsSince(start)}`);
  worker = spawnWorker();
  await until(() => applied(first), 150_000, 'the first batch on the PBX', 250);
  timeline.push(`first batch applied at ${secondsSince(start)}`);

  // 2. The Temporal server stopped while the round runs and started again; the worker rides it out.
  const second = makeChanges('restart', unused, 2);
  await pokeAndWaitForRound();
  expect(applied(second)).toBe(false);
  expect((await status()).phase).toBe('round');
  await server.stop();
  timeline.push(`server stopped mid-round at ${secondsSince(start)}`);
  await sleep(2000);
  server = await startDevServer({ dbFile, port, headless: true });
  timeline.push(`server back at ${secondsSince(start)}`);
  await until(() => applied(second), 120_000, 'the second batch on the PBX', 250);
  timeline.push(`second batch applied at ${secondsSince(start)}`);
  sync.world.pbx.control.configure({ latencyMs: 0 });
  // Settle: one more round finds the batches applied and sends nothing new.
  const rounds = (await status()).rounds;
  await watcher().signal(pokeDirectorySignal);
  await until(
    async () => {
      const s = await status();
      return s.rounds > rounds && s.phase === 'waiting';
    },
    60_000,
    'a quiet round',
    250,
  );
  await until(() => userEntitiesIdle(temporal.client, sync.tenantId), 30_000, 'the entities idle', 250);
  console.log(`delta recovery: ${timeline.join('; ')}`);
  expect(worker.alive()).toBe(true);

  // Every change exactly once: one extension per email (no twin), the updates and the disables on it.
  const { extensions, welcomeEmails } = pbxState();
  const created = [...first.created, ...second.created];
  expect(extensions).toHaveLength(baseline + created.length);
  expect(new Set(extensions.map((e) => e.number)).size).toBe(extensions.length);
  expect(new Set(extensions.map((e) => e.email_addr.toLowerCase())).size).toBe(extensions.length);
  for (const email of created) expect(extensionsByEmail(email)).toMatchObject([{ enabled: true }]);
  for (const [email, patch] of [...first.updated, ...second.updated])
    expect(extensionsByEmail(email)).toMatchObject([
      { enabled: true, last_name: patch.surname, title: patch.jobTitle },
    ]);
  for (const email of [first.disabled, second.disabled])
    expect(extensionsByEmail(email)).toMatchObject([{ enabled: false }]);

  // A welcome email per new extension: twice at most, and twice only when its entity's activity was retried.
  const repeats: string[] = [];
  for (const email of created) {
    const [extension] = extensionsByEmail(email);
    const sent = welcomeEmails.filter((w) => String(w.extension_id) === String(extension!.id)).length;
    const owner = graph().getUser(email)!;
    const retries = sent > 1 ? await retriedActivities(temporal.client, sync.tenantId, owner.id) : [];
    if (sent < 1 || sent > 2 || (sent === 2 && retries.length === 0))
      repeats.push(`${email}: ${sent} welcome emails (${retries.join('; ') || 'no retry'})`);
  }
  expect(repeats).toEqual([]);

  // The disables put aside, the PBX is exactly what a full sync of the tenant would leave.
  graph().updateUser(first.disabledId, { accountEnabled: true });
  graph().updateUser(second.disabledId, { accountEnabled: true });
  await watcher().signal(pokeDirectorySignal);
  await until(
    () => [first.disabled, second.disabled].every((e) => extensionsByEmail(e).some((x) => x.enabled)),
    60_000,
    'the re-enabled users back',
    250,
  );
  await until(() => userEntitiesIdle(temporal.client, sync.tenantId), 30_000, 'the entities idle', 250);
  await expectExactPbxState(sync, temporal.client);

  await watcher().signal(stopDirectorySignal);
  const final = await watcher().result();
  expect(final.fullSyncsStarted).toBe(1);
  // The kill hit the round: its activity ran again after the heartbeat timeout.
  const history = await watcher().fetchHistory();
  const retried = (history.events ?? []).flatMap(({ activityTaskStartedEventAttributes: started }) =>
    started && (started.attempt ?? 1) > 1 ? [started.lastFailure?.message ?? ''] : [],
  );
  expect(retried.some((message) => /heartbeat|timeout/i.test(message))).toBe(true);
}, 300_000);
