import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer, type DevServer } from '../harness/temporal-dev-server.js';
import { seededRandom, secondsSince } from '../harness/seeded-random.js';
import { until } from './support/until.js';
import { expectExactPbxState } from './support/pbx-expectations.js';
import { freePort } from '../harness/ports.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';
import { connectTestEnv } from './support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process.js';

/** CRASH_TEST_SEED replays a run: the kill points and the tenant both derive from it. */
const SEED = Number(process.env.CRASH_TEST_SEED ?? 2024);
/** Create responses the PBX "loses" (the extension is made, the answer never arrives), per injection. */
const LOST_CREATES = 2;

let env: TestWorkflowEnvironment;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  env = await connectTestEnv();
});

afterAll(async () => {
  await env?.teardown();
});

/** `worker/main.ts` in its own process, as deployed, with the world's configuration (killed by each test's end). */
function spawnWorker(sync: SyncWorld, temporalAddress?: string): WorkerProcess {
  const worker = startWorkerProcess({
    ...sync.env,
    ...(temporalAddress ? { TEMPORAL_ADDRESS: temporalAddress } : {}),
  });
  workers.push(worker);
  return worker;
}

const extensionCount = (sync: SyncWorld) => sync.world.pbx.control.state().extensions.length;

/** The number of extensions a full sync of the fresh tenant will create (a dry run: nothing is written). */
async function plannedCreates(sync: SyncWorld): Promise<number> {
  const dryRun = await (await sync.startFullSync({ dryRun: true })).result();
  expect(extensionCount(sync)).toBe(0);
  return dryRun.plan!.counts.creates;
}

test('killing the worker process at random points of a full sync leaves exactly the planned PBX state', async () => {
  const random = seededRandom(SEED);
  const sync = await startSyncWorld(env, undefined, { users: 300, seed: SEED });
  const timeline: string[] = [`seed ${SEED}`];
  try {
    // Two worker processes at a time: each kill hits the older one while its successor starts or polls.
    let oldest = spawnWorker(sync);
    let successor = spawnWorker(sync);
    await oldest.ready;
    const creates = await plannedCreates(sync);
    expect(creates).toBeGreaterThan(250);

    // Kill times after the run starts, drawn before it so that a seed always gives the same schedule. They fall
    // in its first ~30 s: an activity on a killed worker is retried only after its start-to-close timeout
    // (2 minutes for the user entities' PBX activities), so the run ends about two minutes after the last kill.
    const firstKill = 1000 + random() * 4000;
    const secondKill = firstKill + 5000 + random() * 8000;
    const killAtMs = [firstKill, secondKill, secondKill + 5000 + random() * 8000];
    const loseCreateResponses = () =>
      sync.world.pbx.control.injectFault({
        kind: 'drop-response',
        endpoint: 'extension/create',
        count: LOST_CREATES,
      });

    const start = Date.now();
    loseCreateResponses();
    const run = await sync.startFullSync();
    for (const [index, at] of killAtMs.entries()) {
      await sleep(Math.max(0, start + at - Date.now()));
      await oldest.ready; // a crash of a worker at work, not of one still starting
      const exit = await oldest.kill('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      timeline.push(`kill ${index + 1} at ${secondsSince(start)}: ${extensionCount(sync)} extensions`);
      loseCreateResponses();
      oldest = successor;
      successor = spawnWorker(sync);
    }

    const result = await run.result();
    timeline.push(`done at ${secondsSince(start)}`);
    console.log(`crash recovery (worker kills): ${timeline.join('; ')}`);
    expect(result.phase).toBe('done');
    expect(result.convergence).toMatchObject({ unconfirmed: 0 });
    expect(result.convergence!.applied).toBe(result.convergence!.expected);
    await expectExactPbxState(sync, env.client, creates);
    // Lost responses and killed creates were retried: more create calls than extensions, and no twin.
    expect(sync.world.pbx.control.counters()['extension/create']).toBeGreaterThan(creates);
  } finally {
    sync.world.pbx.control.clearFaults();
    await Promise.all(workers.splice(0).map((worker) => worker.kill('SIGKILL')));
    await sync.stop();
  }
}, 600_000);

test('restarting the Temporal server in the middle of a full sync leaves exactly the planned PBX state', async () => {
  const dbFile = join(mkdtempSync(join(tmpdir(), 'temporal-restart-')), 'temporal.sqlite');
  const port = await freePort();
  let server: DevServer = await startDevServer({ dbFile, port, headless: true });
  const temporal = await TestWorkflowEnvironment.createFromExistingServer({ address: server.address });
  const sync = await startSyncWorld(temporal, undefined, { users: 200, seed: SEED + 1 });
  const timeline: string[] = [`seed ${SEED + 1}`];
  try {
    // One worker process for the whole test: it must ride out the outage (the SDK retries), not be restarted.
    const worker = spawnWorker(sync, server.address);
    await worker.ready;
    const creates = await plannedCreates(sync);
    expect(creates).toBeGreaterThan(150);

    const start = Date.now();
    const run = await sync.startFullSync();
    await until(() => extensionCount(sync) >= creates / 3, 150_000, 'a third of the extensions');
    await server.stop();
    timeline.push(`server stopped at ${secondsSince(start)}: ${extensionCount(sync)} extensions`);
    await sleep(2000);
    server = await startDevServer({ dbFile, port, headless: true });
    timeline.push(`server back at ${secondsSince(start)}: ${extensionCount(sync)} extensions`);

    const result = await run.result();
    timeline.push(`done at ${secondsSince(start)}`);
    console.log(`crash recovery (server restart): ${timeline.join('; ')}`);
    expect(worker.alive()).toBe(true);
    expect(result.phase).toBe('done');
    expect(result.convergence).toMatchObject({ unconfirmed: 0 });
    expect(result.convergence!.applied).toBe(result.convergence!.expected);
    await expectExactPbxState(sync, temporal.client, creates);
  } finally {
    await Promise.all(workers.splice(0).map((worker) => worker.kill('SIGKILL')));
    await sync.stop();
    await temporal.teardown();
    await server.stop();
  }
}, 600_000);
