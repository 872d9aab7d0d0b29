import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { startDevServer, type DevServer } from '../harness/temporal-dev-server.js';
import { seededRandom, secondsSince } from '../harness/seeded-random.js';
import { until } from './support/until.js';
import type { Client } from '@temporalio/client';
import { listManagedUsers } from '../activities/sync/user-entities.js';
import { expectedSyncedUsers } from '../harness/expected-directory.js';
import { activitiesInFlightOn, pendingUserEntities } from './support/in-flight.js';
import { expectExactPbxState, retriedActivities } from './support/pbx-expectations.js';
import { freePort } from '../harness/ports.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';
import { connectTestEnv } from './support/temporal.js';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process.js';

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
const expectedCount = (sync: SyncWorld) => expectedSyncedUsers(sync.world.graph.control.listUsers()).length;

/** Activities retried in the tenant's user entities (a killed worker's activities run again elsewhere). */
async function retriedAcrossEntities(sync: SyncWorld, client: Client): Promise<number> {
  const users = [...(await listManagedUsers(client.workflow, sync.tenantId)).values()];
  const retries = await Promise.all(users.map((u) => retriedActivities(client, sync.tenantId, u.objectId)));
  return retries.reduce((sum, r) => sum + r.length, 0);
}

test('killing the worker process at points of progress in a full sync leaves exactly the expected PBX state', async () => {
  const random = seededRandom(SEED);
  const sync = await startSyncWorld(env, undefined, { users: 300, seed: SEED });
  const timeline: string[] = [`seed ${SEED}`];
  try {
    // Two worker processes at a time: each kill hits the older one while its successor starts or polls.
    let oldest = spawnWorker(sync);
    let successor = spawnWorker(sync);
    await oldest.ready;
    const expected = expectedCount(sync);
    expect(expected).toBeGreaterThan(250);

    // Kill points are progress (extensions on the PBX), drawn from the seed before the run: a kill lands
    // while the sync is at work whatever the machine's speed, and a seed always gives the same schedule.
    const first = Math.round(expected * (0.05 + random() * 0.15));
    const second = Math.round(first + expected * (0.15 + random() * 0.15));
    const killAt = [first, second, Math.round(second + expected * (0.15 + random() * 0.15))];
    const loseCreateResponses = () =>
      sync.world.pbx.control.injectFault({
        kind: 'drop-response',
        endpoint: 'extension/create',
        count: LOST_CREATES,
      });

    const start = Date.now();
    loseCreateResponses();
    const run = await sync.startFullSync();
    for (const [index, at] of killAt.entries()) {
      await oldest.ready; // a crash of a worker at work, not of one still starting
      await until(() => extensionCount(sync) >= at, 240_000, `${at} extensions before kill ${index + 1}`, 50);
      // The kill must hit work the worker has started and not finished: an activity of a pending entity.
      let busy: string[] = [];
      await until(
        async () => {
          busy = await activitiesInFlightOn(
            env.client,
            await pendingUserEntities(env.client, sync.tenantId),
            oldest.pid,
          );
          return busy.length > 0;
        },
        60_000,
        `work in flight on the worker of kill ${index + 1}`,
        50,
      );
      const exit = await oldest.kill('SIGKILL');
      expect(exit.signal).toBe('SIGKILL');
      const onPbx = extensionCount(sync);
      expect(onPbx).toBeLessThan(expected);
      timeline.push(
        `kill ${index + 1} at ${secondsSince(start)}: ${onPbx} extensions, ${busy.length}+ entities in flight`,
      );
      loseCreateResponses();
      oldest = successor;
      successor = spawnWorker(sync);
    }

    const result = await run.result();
    timeline.push(`done at ${secondsSince(start)}`);
    console.log(`crash recovery (worker kills): ${timeline.join('; ')}`);
    expect(result.phase).toBe('done');
    expect(result.convergence).toMatchObject({ unconfirmed: 0 });
    // Failures left are only users with bad input (a shared email), whom nobody expects on the PBX.
    const expectedUpns = new Set(
      expectedSyncedUsers(sync.world.graph.control.listUsers()).map((u) => u.userPrincipalName),
    );
    expect(result.convergence!.failed.filter((f) => expectedUpns.has(f.userPrincipalName))).toEqual([]);
    expect(result.convergence!.applied).toBe(result.convergence!.expected);
    await expectExactPbxState(sync, env.client);
    // The killed activities ran again on another worker, and lost responses were retried: no twin anyway.
    expect(await retriedAcrossEntities(sync, env.client)).toBeGreaterThan(0);
    expect(sync.world.pbx.control.counters()['extension/create']).toBeGreaterThan(expected);
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
    const expected = expectedCount(sync);
    expect(expected).toBeGreaterThan(150);

    const start = Date.now();
    const run = await sync.startFullSync();
    await until(() => extensionCount(sync) >= expected / 3, 150_000, 'a third of the extensions', 50);
    await server.stop();
    const onPbx = extensionCount(sync);
    expect(onPbx).toBeLessThan(expected);
    timeline.push(`server stopped at ${secondsSince(start)}: ${onPbx} extensions`);
    await sleep(2000);
    server = await startDevServer({ dbFile, port, headless: true });
    timeline.push(`server back at ${secondsSince(start)}: ${extensionCount(sync)} extensions`);

    const result = await run.result();
    timeline.push(`done at ${secondsSince(start)}`);
    console.log(`crash recovery (server restart): ${timeline.join('; ')}`);
    expect(worker.alive()).toBe(true);
    expect(result.phase).toBe('done');
    expect(result.convergence).toMatchObject({ unconfirmed: 0 });
    // Failures left are only users with bad input (a shared email), whom nobody expects on the PBX.
    const expectedUpns = new Set(
      expectedSyncedUsers(sync.world.graph.control.listUsers()).map((u) => u.userPrincipalName),
    );
    expect(result.convergence!.failed.filter((f) => expectedUpns.has(f.userPrincipalName))).toEqual([]);
    expect(result.convergence!.applied).toBe(result.convergence!.expected);
    await expectExactPbxState(sync, temporal.client);
  } finally {
    await Promise.all(workers.splice(0).map((worker) => worker.kill('SIGKILL')));
    await sync.stop();
    await temporal.teardown();
    await server.stop();
  }
}, 600_000);
