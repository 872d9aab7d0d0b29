import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { emailOf, expectedSyncedUsers } from '../harness/expected-directory.js';
import { startSyncWorld, type SyncWorld } from './support/sync-world.js';
import { connectTestEnv } from './support/temporal.js';
import { until } from './support/until.js';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process.js';
import { LIFECYCLE_STATE, equals, runningUserEntities, userWorkflowId } from '../contracts/index.js';

/** The real entry points as an operator runs them: `client/cli.ts` and `worker/main.ts`, each a process. */
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

let env: TestWorkflowEnvironment;
/** The CLI tests' world: a small tenant served by one worker process (each test brings its own preconditions). */
let shared: SyncWorld;
let sharedWorker: WorkerProcess;
const worlds: SyncWorld[] = [];
const workers: WorkerProcess[] = [];

async function startWorld(options: Parameters<typeof startSyncWorld>[2]): Promise<SyncWorld> {
  const world = await startSyncWorld(env, undefined, options);
  worlds.push(world);
  return world;
}

function spawnWorker(world: SyncWorld, extra: Record<string, string> = {}): WorkerProcess {
  const worker = startWorkerProcess({ ...world.env, ...extra });
  workers.push(worker);
  return worker;
}

beforeAll(async () => {
  env = await connectTestEnv();
  shared = await startWorld({ users: 15, seed: 4 });
  sharedWorker = spawnWorker(shared);
  await sharedWorker.ready;
}, 180_000);

/** A test's own worker processes and worlds end with it; the shared ones with the file. */
afterEach(async () => {
  const own = workers.filter((worker) => worker !== sharedWorker);
  await Promise.all(own.map((worker) => worker.kill('SIGKILL')));
  workers.splice(0, workers.length, ...workers.filter((worker) => worker === sharedWorker));
  for (const world of worlds.splice(1)) await world.stop();
});

afterAll(async () => {
  await sharedWorker?.kill('SIGKILL');
  if (shared) await shared.stop();
  await env?.teardown();
});

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `node --import tsx client/cli.ts <args>` with exactly the given settings (an empty value unsets one). */
function cli(args: string[], settings: Record<string, string>): Promise<Finished> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'client/cli.ts', ...args], {
    cwd: REPO,
    env: { ...process.env, ...settings },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((done) => child.once('close', (code, signal) => done({ code, signal, stdout, stderr })));
}

const json = <T = Record<string, unknown>>(run: Finished): T => {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  return JSON.parse(run.stdout) as T;
};

describe('the CLI', () => {
  test('ping exits 0 and names the Temporal server it reached', async () => {
    const run = await cli(['ping'], shared.env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Temporal at ${shared.env.TEMPORAL_ADDRESS} answers`);
    expect(json(await cli(['ping', '--json'], shared.env))).toMatchObject({
      address: shared.env.TEMPORAL_ADDRESS,
      namespace: 'default',
      serverVersion: expect.any(String),
    });
  });

  test('status --json: the worker reaches Graph and the PBX', async () => {
    const report = json<{ taskQueue: string; dependencies: { name: string; detail: string }[] }>(
      await cli(['status', '--json'], shared.env),
    );
    expect(report.taskQueue).toBe(shared.config.taskQueue);
    expect(report.dependencies).toEqual([
      { name: 'Microsoft Graph', detail: expect.stringContaining(`signed in to tenant ${shared.tenantId}`) },
      { name: 'PBX', detail: expect.stringContaining(`Open API at ${shared.world.pbx.url} answers`) },
    ]);
  });

  test("sync full --json prints the finished run: workflow id, phase 'done', plan counts and convergence", async () => {
    const report = json<Record<string, unknown> & { plan: { counts: Record<string, number> } }>(
      await cli(['sync', 'full', '--json'], shared.env),
    );
    expect(report).toMatchObject({
      workflowId: expect.stringMatching(new RegExp(`^full-sync/${shared.tenantId}/`)),
      phase: 'done',
      dryRun: false,
      plan: {
        counts: { creates: expect.any(Number), unchanged: expect.any(Number), errors: expect.any(Number) },
      },
      convergence: { unconfirmed: 0 },
    });
    const { creates, unchanged, updates, adoptions } = report.plan.counts;
    const expected = expectedSyncedUsers(shared.world.graph.control.listUsers());
    expect(creates! + unchanged! + updates! + adoptions!).toBe(expected.length);
    expect(
      shared.world.pbx.control
        .state()
        .extensions.map((e) => e.email_addr)
        .sort(),
    ).toEqual(expected.map(emailOf).sort());
  });

  test("user show <upn> --json has the user's state with its phase and extension", async () => {
    await (await shared.startFullSync()).result();
    const [user] = expectedSyncedUsers(shared.world.graph.control.listUsers());
    const extension = shared.world.pbx.control
      .state()
      .extensions.find((e) => e.email_addr === emailOf(user!))!;

    const report = json<{ state: Record<string, unknown> }>(
      await cli(['user', 'show', user!.userPrincipalName, '--json'], shared.env),
    );

    expect(report.state).toMatchObject({
      objectId: user!.id,
      userPrincipalName: user!.userPrincipalName,
      phase: 'active',
      link: { number: extension.number, extensionId: String(extension.id) },
    });
  });

  test('sync status --json lists a finished run among the recent ones', async () => {
    const handle = await shared.startFullSync({ dryRun: true });
    await handle.result();
    type Status = { running: unknown[]; recent: { workflowId: string; status: string }[] };
    let status: Status | undefined;
    await until(
      async () => {
        const current = json<Status>(await cli(['sync', 'status', '--json', '--limit', '20'], shared.env));
        status = current;
        return current.recent.some((r) => r.workflowId === handle.workflowId);
      },
      60_000,
      'the run in sync status',
      500,
    );
    expect(status!.recent.find((r) => r.workflowId === handle.workflowId)).toMatchObject({
      status: 'completed',
    });
    expect(status!.running).toEqual(expect.any(Array));
  });

  test('user show of an unknown user says so and exits non-zero', async () => {
    const run = await cli(['user', 'show', 'nobody@contoso.example', '--json'], shared.env);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toMatch(/^no user nobody@contoso\.example\b/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a missing ENTRA_TENANT_ID stops the CLI with exit code 2 and one line naming the setting', async () => {
    const run = await cli(['sync', 'status'], { ...shared.env, ENTRA_TENANT_ID: '' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toMatch(/^Invalid configuration: graph\.tenantId \(ENTRA_TENANT_ID\): [^\n]+$/);
  });
});

describe('the worker process', () => {
  /** Starts the worker with one setting broken and expects exit code 2 and one line naming it. */
  async function expectConfigExit(bad: Record<string, string>, message: RegExp): Promise<void> {
    const worker = spawnWorker(shared, bad);
    expect(await worker.exited).toEqual({ code: 2, signal: null });
    const output = worker.output().trim();
    expect(output).toMatch(/^Invalid configuration: [^\n]+$/);
    expect(output).toMatch(message);
  }

  test('a missing ENTRA_TENANT_ID stops it at start-up with exit code 2 and one line naming the setting', () =>
    expectConfigExit({ ENTRA_TENANT_ID: '' }, /graph\.tenantId \(ENTRA_TENANT_ID\): /));

  test('PBX_BASE_URL=not-a-url stops it at start-up with exit code 2 and one line naming the setting', () =>
    expectConfigExit({ PBX_BASE_URL: 'not-a-url' }, /pbx\.baseUrl \(PBX_BASE_URL\): expected an http/));

  test('SIGTERM during a full sync: the worker exits 0, what it had in flight is finished or retried by a second worker, and the run syncs every expected user', async () => {
    const world = await startWorld({ users: 120, seed: 9, pbxLatencyMs: 60, pbxMaxConcurrent: 4 });
    const first = spawnWorker(world);
    const second = spawnWorker(world);
    await Promise.all([first.ready, second.ready]);
    const expected = expectedSyncedUsers(world.world.graph.control.listUsers());
    expect(expected.length).toBeGreaterThan(100);
    const extensions = () => world.world.pbx.control.state().extensions;

    const run = await world.startFullSync();
    const inFlight = await untilInFlightOn(
      world,
      first.pid,
      () => extensions().length >= expected.length / 10,
    );
    const onPbx = extensions().length;
    const exit = await first.kill('SIGTERM');

    expect(exit).toEqual({ code: 0, signal: null });
    expect(onPbx).toBeLessThan(expected.length);
    const result = await run.result();
    expect(result.phase).toBe('done');
    expect(result.convergence).toMatchObject({ unconfirmed: 0 });
    expect(result.convergence!.applied).toBe(result.convergence!.expected);
    // The only failures reported are users with bad input (a shared email), who are not expected on the PBX.
    const expectedUpns = new Set(expected.map((u) => u.userPrincipalName));
    expect(result.convergence!.failed.filter((f) => expectedUpns.has(f.userPrincipalName))).toEqual([]);
    const { extensions: final, welcomeEmails } = world.world.pbx.control.state();
    expect(final.map((e) => e.email_addr.toLowerCase()).sort()).toEqual(expected.map(emailOf).sort());
    expect(new Set(final.map((e) => e.number)).size).toBe(final.length);
    for (const workflowId of inFlight) expect(await unfinishedActivities(workflowId)).toEqual([]);
    // A welcome email per extension; a second one (at-least-once) only for a user whose activity was retried.
    expect(new Set(welcomeEmails.map((w) => w.extension_id))).toEqual(new Set(final.map((e) => e.id)));
    const repeats = final.filter((e) => welcomeEmails.filter((w) => w.extension_id === e.id).length > 1);
    for (const extension of repeats) {
      const user = expected.find((u) => emailOf(u) === extension.email_addr.toLowerCase())!;
      expect(welcomeEmails.filter((w) => w.extension_id === extension.id)).toHaveLength(2);
      expect(await retriesOf(userWorkflowId(world.tenantId, user.id))).not.toEqual([]);
    }
    expect(second.alive()).toBe(true);
  }, 300_000);

  // The wait for convergence ends when the activity is cancelled (after the worker's shutdown grace).
  test('SIGTERM while the worker waits for a full sync to converge stops it within 30 s', async () => {
    const world = await startWorld({ users: 40, seed: 12, pbxLatencyMs: 300, pbxMaxConcurrent: 2 });
    const worker = spawnWorker(world);
    await worker.ready;
    const run = await world.startFullSync();
    await until(
      async () =>
        ((await run.describe()).raw.pendingActivities ?? []).some(
          (a) =>
            a.activityType?.name === 'awaitConvergence' && a.lastWorkerIdentity?.startsWith(`${worker.pid}@`),
        ),
      120_000,
      'the convergence wait on the worker',
    );

    process.kill(worker.pid, 'SIGTERM');

    await until(() => !worker.alive(), 30_000, 'the worker to exit after SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  }, 180_000);

  test('a graceful SIGTERM lets the activities in flight finish on the stopping worker: none is failed by the shutdown and retried', async () => {
    // A slow PBX: each user's activity spends seconds in PBX calls, so what is seen in flight still is.
    const world = await startWorld({ users: 40, seed: 12, pbxLatencyMs: 300, pbxMaxConcurrent: 2 });
    const stopping = spawnWorker(world);
    const other = spawnWorker(world);
    await Promise.all([stopping.ready, other.ready]);
    const run = await world.startFullSync();
    const inFlight = await untilInFlightOn(world, stopping.pid);

    expect(await stopping.kill('SIGTERM')).toEqual({ code: 0, signal: null });

    expect((await Promise.all(inFlight.map(retriesOf))).flat()).toEqual([]);
    expect((await run.result()).phase).toBe('done');
  }, 180_000);
});

/** Waits until `ready` holds and the worker process `pid` has activities in flight; returns those entities. */
async function untilInFlightOn(world: SyncWorld, pid: number, ready = () => true): Promise<string[]> {
  let inFlight: string[] = [];
  await until(
    async () => ready() && (inFlight = await activitiesInFlightOn(world, pid)).length > 0,
    120_000,
    `activities in flight on worker ${pid}`,
    50,
  );
  return inFlight;
}

/** A workflow's activities (pending or done) on an attempt after a failed one, with the failure. */
async function retriesOf(workflowId: string): Promise<string[]> {
  const handle = env.client.workflow.getHandle(workflowId);
  const pending = ((await handle.describe()).raw.pendingActivities ?? []).map((a) => ({
    name: a.activityType?.name,
    attempt: a.attempt ?? 1,
    failure: a.lastFailure?.message,
  }));
  const done = ((await handle.fetchHistory()).events ?? []).flatMap(
    ({ activityTaskStartedEventAttributes: a }) =>
      a ? [{ name: 'activity', attempt: a.attempt ?? 1, failure: a.lastFailure?.message }] : [],
  );
  return [...pending, ...done]
    .filter((a) => a.attempt > 1)
    .map((a) => `${workflowId}: ${a.name} attempt ${a.attempt} after "${a.failure}"`);
}

/** User entities (some of those still waiting for their extension) with an activity on the worker `pid`. */
async function activitiesInFlightOn(world: SyncWorld, pid: number): Promise<string[]> {
  const query = runningUserEntities(world.tenantId, equals(LIFECYCLE_STATE, 'pending'));
  const pending: string[] = [];
  for await (const execution of env.client.workflow.list({ query, pageSize: 30 })) {
    pending.push(execution.workflowId);
    if (pending.length >= 30) break;
  }
  const busy = await Promise.all(
    pending.map(async (workflowId) => {
      const { raw } = await env.client.workflow.getHandle(workflowId).describe();
      const mine = (raw.pendingActivities ?? []).some((a) => a.lastWorkerIdentity?.startsWith(`${pid}@`));
      return mine ? [workflowId] : [];
    }),
  );
  return busy.flat();
}

/** Activities of a workflow that were scheduled but neither completed nor are still pending. */
async function unfinishedActivities(workflowId: string): Promise<string[]> {
  const handle = env.client.workflow.getHandle(workflowId);
  const events = (await handle.fetchHistory()).events ?? [];
  const pending = new Set(
    ((await handle.describe()).raw.pendingActivities ?? []).map((a) => String(a.activityId)),
  );
  const scheduled = new Map<string, string>();
  for (const event of events)
    if (event.activityTaskScheduledEventAttributes)
      scheduled.set(String(event.eventId), String(event.activityTaskScheduledEventAttributes.activityId));
  for (const event of events) {
    const done = event.activityTaskCompletedEventAttributes;
    if (done) scheduled.delete(String(done.scheduledEventId));
  }
  return [...scheduled.values()].filter((activityId) => !pending.has(activityId));
}
