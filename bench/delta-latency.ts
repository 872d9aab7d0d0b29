/**
 * Delta-sync latency benchmark: its own Temporal dev server (temporary SQLite file, headless, a free port), both
 * simulators with realistic settings (Graph 150 ms per request; PBX 100 ms per request, at most 4 processed at
 * once), a generated tenant, an in-process worker and the directory watcher (its first start baselines the
 * tenant with a full sync). Then, twice, it makes `--changes` changes (default 200, seeded: a random user's
 * jobTitle or surname, and one in `--hire-every` (default 10) a new hire, who needs a new extension and number)
 * spread over `--over` seconds (default 300), and times each from the change in the Graph simulator to the PBX
 * write (the PBX simulator's extension webhook event: UPDATE for that extension, CREATE for the new hire's):
 *
 * - notifications on: the worker has GRAPH_NOTIFICATION_* set, its receiver runs, the watcher subscribes to
 *   users and groups and polls only every 300 s, so a change arrives by a change notification (a poke);
 * - notifications off: the same worker without those settings, the watcher polls every 5 s.
 *
 * Prints p50/p95/p99 per mode and the Graph requests made per minute (all of them: delta pages, user re-reads,
 * tokens, subscriptions). Stops by itself; a change not on the PBX within 2 minutes of the last one is reported
 * as lost.
 *
 * Run: `npx tsx bench/delta-latency.ts [--users N] [--changes N] [--over SECONDS] [--hire-every N] [--seed N]`
 * (default 10,000
 * users; the initial full sync of 10,000 takes minutes).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import {
  DefaultLogger,
  NativeConnection,
  Runtime,
  bundleWorkflowCode,
  type LogLevel,
} from '@temporalio/worker';
import { loadWorkerConfig } from '../config/index.js';
import { WORKFLOWS_PATH, startWorker } from '../worker/start-worker.js';
import { directoryWatcher } from '../workflows/directory-watcher.js';
import { startDevServer } from '../harness/temporal-dev-server.js';
import { seededRandom } from '../harness/seeded-random.js';
import { flag, GRAPH_LATENCY_MS, PBX_CONCURRENCY, PBX_LATENCY_MS, PROGRESS_EVERY_MS } from './realistic.js';
import { freePort } from '../harness/ports.js';
import { startSimulatedWorld } from '../harness/simulated-world.js';
import {
  directoryStatusQuery,
  directoryWatcherWorkflowId,
  stopDirectorySignal,
  type DirectoryWatcherState,
} from '../contracts/index.js';

const NOTIFICATIONS_INTERVAL_SECONDS = 300;
const POLLING_INTERVAL_SECONDS = 5;
const DRAIN_MS = 120_000;
/** The generated tenant's domain (the simulator's default). */
const DOMAIN = 'contoso.onmicrosoft.com';
/** The PBX event "extension created/updated/deleted" (msg: {ext_number, option}). */
const EXTENSION_EVENT = 30022;

function positive(name: string, fallback: number): number {
  const value = Number(flag(name) ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a positive integer`);
  return value;
}
const USERS = positive('--users', 10_000);
const CHANGES = positive('--changes', 200);
const OVER_SECONDS = positive('--over', 300);
const SEED = positive('--seed', 42);
const HIRE_EVERY = positive('--hire-every', 10);

const random = seededRandom(SEED);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const percentile = (sorted: number[], p: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;

Runtime.install({
  logger: new DefaultLogger((process.env.LOG_LEVEL?.toUpperCase() as LogLevel | undefined) ?? 'WARN'),
});

// ── the world ─────────────────────────────────────────────────────────────────────────────────────────────
const dataDir = mkdtempSync(join(tmpdir(), 'delta-latency-bench-'));
const configFile = join(dataDir, 'config.json');
// The default number range (1000–5999) holds 5,000 numbers: a bigger tenant needs a bigger one.
writeFileSync(
  configFile,
  JSON.stringify({ sync: { numbers: { ranges: [{ from: 100_000, to: 100_000 + 2 * USERS }] } } }),
);
console.log(`delta-latency benchmark: ${USERS} users, ${CHANGES} changes per mode over ${OVER_SECONDS} s`);
console.log(`data in ${dataDir}`);
const temporal = await startDevServer({
  dbFile: join(dataDir, 'temporal.sqlite'),
  port: await freePort(),
  headless: true,
});
const world = await startSimulatedWorld({
  users: USERS,
  seed: SEED,
  dataDir,
  graphLatencyMs: GRAPH_LATENCY_MS,
  pbxLatencyMs: PBX_LATENCY_MS,
  pbxMaxConcurrent: PBX_CONCURRENCY,
  pbxExtensionCapacity: USERS + 1000,
});
const graph = world.graph.control;
console.log(
  `Temporal ${temporal.address}; Graph ${world.graph.url} (${GRAPH_LATENCY_MS} ms/request); ` +
    `PBX ${world.pbx.url} (${PBX_LATENCY_MS} ms/request, ≤ ${PBX_CONCURRENCY} at once)`,
);

const notificationPort = await freePort();
const CLIENT_STATE = `bench-${SEED}-client-state-0123456789`;
const baseEnv = { ...world.env, ENTRA_PBX_CONFIG_FILE: configFile };
const notificationEnv = {
  GRAPH_NOTIFICATION_URL: `http://127.0.0.1:${notificationPort}/notifications`,
  GRAPH_NOTIFICATION_PORT: String(notificationPort),
  GRAPH_NOTIFICATION_CLIENT_STATE: CLIENT_STATE,
};
const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection });
const workerConnection = await NativeConnection.connect({ address: temporal.address });
const workflowBundle = await bundleWorkflowCode({
  workflowsPath: WORKFLOWS_PATH,
  logger: new DefaultLogger('WARN'),
});

/** The deployed worker wiring, with or without the notification settings (then with the receiver). */
async function startBenchWorker(notifications: boolean) {
  const config = loadWorkerConfig({ ...baseEnv, ...(notifications ? notificationEnv : {}) });
  const worker = await startWorker(
    config,
    { native: workerConnection, client, namespace: 'default' },
    { workflowBundle },
  );
  return { config, receiver: worker.receiver, stop: () => worker.stop() };
}

// ── PBX writes, seen through the PBX's extension-update webhook ──────────────────────────────────────────
/**
 * The changes on their way to the PBX, by what its event will name: `number:<n>` (an update of that extension;
 * one pending change per extension at a time) or `email:<e>` (a new hire's extension, its number not known yet).
 */
const pending = new Map<string, { at: number; kind: 'update' | 'hire' }>();
const latencies: { kind: 'update' | 'hire'; ms: number }[] = [];
const hook = createHttpServer((req, res) => {
  const at = Date.now();
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    res.writeHead(200).end();
    try {
      const frame = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: number; msg: string };
      if (frame.type !== EXTENSION_EVENT) return;
      const msg = JSON.parse(frame.msg) as { ext_number?: string; option?: string };
      if (!msg.ext_number) return;
      const created =
        msg.option === 'CREATE'
          ? world.pbx.control.state().extensions.find((e) => e.number === msg.ext_number)
          : undefined;
      const key =
        msg.option === 'UPDATE'
          ? `number:${msg.ext_number}`
          : `email:${created?.email_addr.toLowerCase() ?? ''}`;
      const change = pending.get(key);
      if (!change) return;
      pending.delete(key);
      latencies.push({ kind: change.kind, ms: at - change.at });
    } catch {
      // not an event frame
    }
  });
});
await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));

// ── the watcher ───────────────────────────────────────────────────────────────────────────────────────────
let worker = await startBenchWorker(true);
const tenantId = worker.config.graph.tenantId;
const watcherId = directoryWatcherWorkflowId(tenantId);
const status = (): Promise<DirectoryWatcherState> =>
  client.workflow.getHandle(watcherId).query(directoryStatusQuery);

async function startWatcher(intervalSeconds: number, state?: DirectoryWatcherState): Promise<void> {
  await client.workflow.start(directoryWatcher, {
    workflowId: watcherId,
    taskQueue: worker.config.taskQueue,
    args: [{ tenantId, intervalSeconds, ...(state ? { state } : {}) }],
  });
}

async function waitForWatcher(what: string, ready: (s: DirectoryWatcherState) => boolean): Promise<void> {
  const started = Date.now();
  let lastReport = started;
  for (;;) {
    const s = await status().catch(() => undefined);
    if (s && ready(s)) return;
    if (Date.now() - lastReport > PROGRESS_EVERY_MS) {
      lastReport = Date.now();
      console.log(
        `  … ${what}, ${seconds(Date.now() - started)}: watcher ${s?.phase}, ` +
          `${world.pbx.control.state().extensions.length} extensions`,
      );
    }
    await sleep(500);
  }
}

interface ModeResult {
  label: string;
  /** Sorted, all changes; and the new hires' alone. */
  latencies: number[];
  hires: number[];
  lost: number;
  graphRequests: number;
  minutes: number;
  rounds: number;
  /** Mean and longest deltaRound activity (scheduled → completed), from the watcher's history. */
  roundMs: { mean: number; max: number };
}

/** The deltaRound activities' durations in the watcher's current run that were scheduled after `since`. */
async function roundDurations(since: number): Promise<{ mean: number; max: number }> {
  const history = await client.workflow.getHandle(watcherId).fetchHistory();
  const ms = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
    Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;
  const scheduled = new Map<string, number>();
  const durations: number[] = [];
  for (const event of history.events ?? []) {
    if (event.activityTaskScheduledEventAttributes?.activityType?.name === 'deltaRound')
      scheduled.set(String(event.eventId), ms(event.eventTime));
    const completed = event.activityTaskCompletedEventAttributes;
    const at = completed ? scheduled.get(String(completed.scheduledEventId)) : undefined;
    if (at !== undefined && at >= since) durations.push(ms(event.eventTime) - at);
  }
  return {
    mean: durations.length ? durations.reduce((a, b) => a + b, 0) / durations.length : NaN,
    max: durations.length ? Math.max(...durations) : NaN,
  };
}

/** Makes the changes spread over OVER_SECONDS and waits for their PBX writes. */
async function measure(label: string): Promise<ModeResult> {
  console.log(`\n━━ ${label} ━━`);
  const numberByEmail = new Map(
    world.pbx.control
      .state()
      .extensions.filter((e) => e.enabled)
      .map((e) => [e.email_addr.toLowerCase(), e.number]),
  );
  const emailOf = (u: { mail: string | null; userPrincipalName: string }) =>
    (u.mail ?? u.userPrincipalName).trim().toLowerCase();
  const users = graph.listUsers();
  const usersByEmail = new Map<string, number>();
  for (const u of users) usersByEmail.set(emailOf(u), (usersByEmail.get(emailOf(u)) ?? 0) + 1);
  // Only users that own their extension: an email shared with another user (the tenant has some on purpose)
  // may point at the other one's extension, and a change to this one is then rightly written nowhere.
  const candidates = users
    .flatMap((u) => {
      const number = numberByEmail.get(emailOf(u));
      return number && u.accountEnabled && usersByEmail.get(emailOf(u)) === 1 ? [{ id: u.id, number }] : [];
    })
    .sort((a, b) => a.id.localeCompare(b.id));
  latencies.length = 0;
  pending.clear();
  const changeOf = new Map<string, object>();
  const roundsBefore = (await status()).rounds;
  graph.resetCounters();
  const started = Date.now();
  const gapMs = (2 * OVER_SECONDS * 1000) / CHANGES; // uniform in [0, gap): CHANGES gaps average OVER_SECONDS
  let made = 0;
  for (let i = 0; i < CHANGES; i++) {
    await sleep(random() * gapMs);
    if (random() < 1 / HIRE_EVERY) {
      const name = `${label.split(' ')[0]}${label.includes(' off') ? 'Off' : 'On'}${i}`;
      const email = `hire.${name.toLowerCase()}@${DOMAIN}`;
      pending.set(`email:${email}`, { at: Date.now(), kind: 'hire' });
      changeOf.set(`email:${email}`, { hire: email });
      graph.createUser({
        userPrincipalName: email,
        mail: email,
        displayName: `Hire ${name}`,
        givenName: 'Hire',
        surname: name,
        accountEnabled: true,
      });
    } else {
      // A user without a change in flight (a second change before the first is written would be one write).
      let user = candidates[Math.floor(random() * candidates.length)]!;
      for (let tries = 0; pending.has(`number:${user.number}`) && tries < 100; tries++)
        user = candidates[Math.floor(random() * candidates.length)]!;
      if (pending.has(`number:${user.number}`)) continue;
      const patch =
        random() < 0.5 ? { jobTitle: `${label} title ${i}` } : { surname: `${label.split(' ')[0]}-${i}` };
      pending.set(`number:${user.number}`, { at: Date.now(), kind: 'update' });
      changeOf.set(`number:${user.number}`, { userId: user.id, patch });
      graph.updateUser(user.id, patch);
    }
    made++;
    if (made % 50 === 0)
      console.log(`  … ${made} changes at ${seconds(Date.now() - started)}, ${latencies.length} on the PBX`);
  }
  const drainUntil = Date.now() + DRAIN_MS;
  while (pending.size > 0 && Date.now() < drainUntil) await sleep(200);
  for (const key of pending.keys()) {
    const number = key.startsWith('number:') ? key.slice('number:'.length) : undefined;
    const extension = world.pbx.control.state().extensions.find((e) => e.number === number);
    console.log(
      `  not written: ${JSON.stringify(changeOf.get(key))}` +
        (extension
          ? ` → extension ${number} (last name ${extension.last_name}, title ${extension.title}, enabled ${extension.enabled})`
          : ''),
    );
  }
  const minutes = (Date.now() - started) / 60_000;
  const counters = graph.counters();
  const rounds = (await status()).rounds - roundsBefore;
  return {
    label,
    latencies: latencies.map((l) => l.ms).sort((a, b) => a - b),
    hires: latencies
      .filter((l) => l.kind === 'hire')
      .map((l) => l.ms)
      .sort((a, b) => a - b),
    lost: pending.size,
    graphRequests: counters.total,
    minutes,
    rounds,
    roundMs: await roundDurations(started),
  };
}

const results: ModeResult[] = [];
try {
  const baselineStarted = Date.now();
  console.log('\nbaseline: the watcher starts, takes deltaLinks and runs a full sync of the tenant');
  await startWatcher(NOTIFICATIONS_INTERVAL_SECONDS);
  await waitForWatcher(
    'baseline',
    (s) => s.rounds >= 1 && s.phase === 'waiting' && (s.notifications?.subscriptions.length ?? 0) === 2,
  );
  console.log(
    `baseline done in ${seconds(Date.now() - baselineStarted)}: ${world.pbx.control.state().extensions.length} extensions`,
  );
  world.pbx.control.addWebhook(`http://127.0.0.1:${(hook.address() as { port: number }).port}/`, [
    EXTENSION_EVENT,
  ]);

  results.push(
    await measure(
      `notifications on (receiver + subscriptions, polling every ${NOTIFICATIONS_INTERVAL_SECONDS} s)`,
    ),
  );
  console.log(`  receiver: ${JSON.stringify(worker.receiver?.stats)}`);

  // Notifications off: the watcher stops (deleting its subscriptions), the worker restarts without the
  // notification settings, the watcher starts again with its cursors (no new baseline) and polls every 5 s.
  const handle = client.workflow.getHandle(watcherId);
  await handle.signal(stopDirectorySignal);
  const state = (await handle.result()) as DirectoryWatcherState;
  await worker.stop();
  worker = await startBenchWorker(false);
  await startWatcher(POLLING_INTERVAL_SECONDS, state);
  await waitForWatcher('restart', (s) => s.phase === 'waiting' && s.notifications?.enabled === false);
  results.push(await measure(`notifications off (polling every ${POLLING_INTERVAL_SECONDS} s)`));

  await client.workflow.getHandle(watcherId).signal(stopDirectorySignal);
  await client.workflow.getHandle(watcherId).result();
} finally {
  console.log(`\n━━ results: ${USERS} users, ${CHANGES} changes per mode over ${OVER_SECONDS} s ━━`);
  for (const r of results) {
    const p = (n: number) => seconds(percentile(r.latencies, n));
    console.log(
      `${r.label}:\n  change → PBX write: p50 ${p(50)}, p95 ${p(95)}, p99 ${p(99)}, max ${p(100)} ` +
        `(${r.latencies.length} measured, ${r.lost} not written within ${DRAIN_MS / 1000} s)\n` +
        `  new hires alone (${r.hires.length}): p50 ${seconds(percentile(r.hires, 50))}, ` +
        `max ${seconds(percentile(r.hires, 100))}\n` +
        `  Graph requests: ${r.graphRequests} in ${r.minutes.toFixed(1)} min = ` +
        `${(r.graphRequests / r.minutes).toFixed(0)}/min; ${r.rounds} delta rounds, ` +
        `round activity mean ${seconds(r.roundMs.mean)}, max ${seconds(r.roundMs.max)}`,
    );
  }
  await worker.stop();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
  await Promise.all([connection.close(), workerConnection.close()]);
  await world.stop();
  await temporal.stop();
}
