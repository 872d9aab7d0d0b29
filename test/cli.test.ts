import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import {
  installSchedule,
  removeSchedule,
  showSchedule,
  type ScheduleReport,
} from '../client/commands/schedule.js';
import {
  decideOffboarding,
  startFullSync,
  syncStatus,
  type FullSyncReport,
  type SyncRunInfo,
} from '../client/commands/sync.js';
import { resyncUser, showUser, type ResyncReport, type UserReport } from '../client/commands/user.js';
import type { OperatorClient } from '../client/connect.js';
import { silentStream, type TextStream } from '../client/output.js';
import { loadClientConfig, loadWorkerConfig } from '../config/index.js';
import { startSimulatedWorld, type SimulatedWorld } from '../harness/simulated-world.js';
import { startWorker, type RunningWorker } from '../worker/start-worker.js';
import { bundleWorkflows, connectTestEnv, uniqueTaskQueue } from './support/temporal.js';
import { TENANT_ID } from '../contracts/index.js';
import { pbxWrites } from './support/pbx-expectations.js';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let world: SimulatedWorld | undefined;
let dataDir: string | undefined;
let worker: RunningWorker | undefined;
let operator: OperatorClient;

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflows();
});

/** A tenant, PBX and worker of the test's own: user entities and queries are per tenant. */
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cli-test-'));
  world = await startSimulatedWorld({ users: 20, dataDir, tenantId: randomUUID() });
  const configEnv = { ...world.env, ENTRA_PBX_TASK_QUEUE: uniqueTaskQueue('cli') };
  worker = await startWorker(
    loadWorkerConfig(configEnv),
    { native: env.nativeConnection, client: env.client, namespace: env.namespace ?? 'default' },
    { workflowBundle: bundle },
  );
  operator = {
    client: env.client,
    config: loadClientConfig(configEnv),
    address: 'test',
    close: async () => {},
  };
});

afterEach(async () => {
  await worker?.stop();
  await world?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  worker = undefined;
  world = undefined;
  dataDir = undefined;
});

afterAll(async () => {
  await env?.teardown();
});

const pbxExtensions = () => world!.pbx.control.state().extensions;
const fast = { pollMs: 200, progress: silentStream };

function collect(): TextStream & { lines: string[] } {
  const lines: string[] = [];
  return { lines, write: (text: string) => lines.push(text.trimEnd()) };
}

test('sync full --dry-run prints the plan as JSON and writes nothing', async () => {
  world!.pbx.control.resetCounters();
  const report = JSON.parse(
    await startFullSync(operator, { dryRun: true, wait: true, json: true, ...fast }),
  ) as FullSyncReport;

  expect(report.workflowId).toMatch(new RegExp(`^full-sync/${operator.config.graph.tenantId}/`));
  expect(report).toMatchObject({ phase: 'done', dryRun: true });
  expect(report.plan!.counts.creates).toBeGreaterThan(10);
  expect(report.plan!.counts).toMatchObject({ updates: 0, disables: 0, deletes: 0, unchanged: 0 });
  expect(report.plan!.samples.creates[0]).toMatch(/: ext \d+$/);
  expect(pbxWrites(world!.pbx.control.counters())).toEqual({});
});

/** Runs `sync full` and returns one user it created, as the text names them. */
async function syncAndPickUser(): Promise<{ upn: string; number: string; text: string }> {
  const text = await startFullSync(operator, { dryRun: false, wait: true, json: false, ...fast });
  const [, upn, number] = /^ {2}create +(\S+): ext (\d+)$/m.exec(text)!;
  return { upn: upn!, number: number!, text };
}

test('sync full applies the plan with progress; user show finds the extension and the workflow', async () => {
  const progress = collect();
  const text = await startFullSync(operator, {
    dryRun: false,
    wait: true,
    json: false,
    pollMs: 200,
    progress,
  });
  expect(text).toMatch(/^full sync full-sync\/.+: done\nplan: \d+ to create, 0 to update/);
  const creates = Number(/plan: (\d+) to create/.exec(text)![1]);
  expect(text).toContain(`applied: ${creates} of ${creates} users`);
  expect(progress.lines.some((line) => /^(planning|applying|groups)/.test(line))).toBe(true);
  expect(pbxExtensions()).toHaveLength(creates);

  const [, upn, number] = /^ {2}create +(\S+): ext (\d+)$/m.exec(text)!;
  const created = { upn: upn!, number: number! };
  const report = JSON.parse(await showUser(operator, created.upn, { json: true })) as UserReport;
  const extension = pbxExtensions().find((e) => e.number === created.number)!;
  expect(report).toMatchObject({ status: 'running', source: 'query' });
  expect(report.state).toMatchObject({
    userPrincipalName: created.upn,
    phase: 'active',
    link: { number: created.number, extensionId: String(extension.id) },
    welcomeSent: true,
  });
  expect(report.state.lastSyncRunId).toMatch(/^full-sync\//);
  expect(report.link).toBe(
    `http://127.0.0.1:8233/namespaces/default/workflows/${encodeURIComponent(report.workflowId)}`,
  );

  const human = await showUser(operator, report.state.objectId, { json: false });
  expect(human).toContain(`user ${created.upn} (object id ${report.state.objectId})`);
  expect(human).toMatch(new RegExp(`extension +${created.number} \\(id ${extension.id}\\)`));
  await expect(showUser(operator, 'nobody@example.com', { json: true })).rejects.toThrow(/no user nobody@/);
});

/** What the Temporal UI shows for a workflow: the static summary from its start and its current details. */
async function uiLine(workflowId: string): Promise<{ summary?: string; details: string }> {
  const handle = env.client.workflow.getHandle(workflowId);
  const description = await handle.describe();
  const metadata = await handle.query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return { summary: await description.staticSummary(), details: metadata.currentDetails ?? '' };
}

test('the Temporal UI tells who each workflow is: user entities and syncs carry a summary and current details', async () => {
  const created = await syncAndPickUser();
  const syncId = /^full sync (\S+): done$/m.exec(created.text)![1]!;
  const user = world!.graph.control.getUser(created.upn)!;
  const entity = JSON.parse(await showUser(operator, created.upn, { json: true })) as UserReport;

  const row = await uiLine(entity.workflowId);
  expect(row.summary).toBe(`User ${created.upn}`);
  expect(row.details).toBe(
    `${user.givenName} ${user.surname} · ${created.upn} · ext ${created.number} · active`,
  );

  const sync = await uiLine(syncId);
  expect(sync.summary).toBe(`Full sync of tenant ${operator.config.graph.tenantId}`);
  expect(sync.details).toMatch(/^done · \d+ to create(, \d+ bad input)? · \d+ applied/);

  world!.graph.control.updateUser(user.id, { givenName: 'Renamed' });
  await resyncUser(operator, created.upn, { json: true, progress: silentStream });
  expect((await uiLine(entity.workflowId)).details).toMatch(new RegExp(`^Renamed ${user.surname} · `));
});

test('user resync re-applies one changed user to the PBX; a resync of an unchanged user writes nothing', async () => {
  const created = await syncAndPickUser();
  const user = world!.graph.control.getUser(created.upn)!;
  world!.graph.control.updateUser(user.id, { jobTitle: 'Chief CLI Tester' });

  const report = JSON.parse(
    await resyncUser(operator, created.upn, { json: true, progress: silentStream }),
  ) as ResyncReport;

  expect(report.plan).toMatchObject({
    objectId: user.id,
    action: 'update',
    number: created.number,
    changes: ['title'],
    dispatched: true,
  });
  expect(report.convergence).toMatchObject({ expected: 1, applied: 1, failed: [] });
  expect(report.workflowId).toMatch(new RegExp(`^sync-user/.+/${created.upn}/`));
  expect(pbxExtensions().find((e) => e.number === created.number)?.title).toBe('Chief CLI Tester');

  // Nothing differs any more: a resync applies it again, and the text says so; the PBX sees no write.
  world!.pbx.control.resetCounters();
  const again = await resyncUser(operator, user.id, { json: false, progress: silentStream });
  expect(again).toContain(`${created.upn}: extension ${created.number} matches Entra ID; apply it again`);
  expect(again).toMatch(/outcome +applied/);
  expect(pbxWrites(world!.pbx.control.counters())).toEqual({});
});

test('a held offboarding is shown with the names; sync reject finds the waiting run by itself', async () => {
  await syncAndPickUser();
  const victims = world!.graph.control
    .listUsers()
    .filter((u) => pbxExtensions().some((e) => e.email_addr === u.mail?.toLowerCase()))
    .slice(0, 4);
  for (const victim of victims) world!.graph.control.disableUser(victim.id);

  const held = await startFullSync(operator, { dryRun: false, wait: true, json: false, ...fast });
  const workflowId = /^full sync (\S+): waiting for an operator's approval/.exec(held)![1]!;
  expect(held).toContain('offboarding held: this run would offboard 4 of');
  for (const victim of victims) expect(held).toContain(victim.userPrincipalName);
  expect(held).toContain(`sync approve ${workflowId} --by`);

  const status = JSON.parse(await syncStatus(operator, { json: true })) as {
    running: SyncRunInfo[];
    recent: SyncRunInfo[];
  };
  expect(status.running).toEqual([expect.objectContaining({ workflowId, phase: 'awaiting-approval' })]);
  expect(status.recent.map((r) => r.status)).toEqual(['completed']);

  const decided = JSON.parse(
    await decideOffboarding(operator, undefined, { approved: false, by: 'test', note: 'not today' }, true),
  ) as FullSyncReport;
  expect(decided).toMatchObject({ workflowId, decision: { approved: false, by: 'test' } });
  const result = await env.client.workflow.getHandle(workflowId).result();
  expect(result.phase).toBe('done');
  expect(pbxExtensions().every((e) => e.enabled)).toBe(true);
  await expect(decideOffboarding(operator, undefined, { approved: true, by: 'test' }, false)).rejects.toThrow(
    /no full sync of tenant .+ is waiting for approval/,
  );
});

test('schedule install is idempotent: one schedule with the latest spec', async () => {
  const scheduleId = `full-sync/${operator.config.graph.tenantId}/daily`;
  // Half a day away, so it does not fire during the test.
  const hour = String((new Date().getUTCHours() + 12) % 24).padStart(2, '0');
  const first = JSON.parse(
    await installSchedule(operator, { at: `${hour}:00`, timezone: 'Europe/Berlin', json: true }),
  ) as ScheduleReport;
  expect(first).toMatchObject({ scheduleId, outcome: 'installed', timezone: 'Europe/Berlin' });
  const second = JSON.parse(
    await installSchedule(operator, { at: `${hour}:45`, json: true }),
  ) as ScheduleReport;
  expect(second).toMatchObject({ scheduleId, outcome: 'updated', at: `${hour}:45`, timezone: 'UTC' });

  const description = await env.client.schedule.getHandle(scheduleId).describe();
  expect(description.spec.calendars).toHaveLength(1);
  expect(description.spec.calendars![0]).toMatchObject({
    hour: [{ start: Number(hour), end: Number(hour), step: 1 }],
    minute: [{ start: 45, end: 45, step: 1 }],
  });
  expect(description.policies).toMatchObject({ overlap: 'SKIP', catchupWindow: 3_600_000 });
  expect(description.action).toMatchObject({
    type: 'startWorkflow',
    workflowType: 'fullSync',
    workflowId: scheduleId,
    taskQueue: operator.config.taskQueue,
    args: [{ tenantId: operator.config.graph.tenantId }],
  });
  const attributes = description.action.typedSearchAttributes;
  expect(attributes && 'get' in attributes ? attributes.get(TENANT_ID) : undefined).toBe(
    operator.config.graph.tenantId,
  );

  let ids: string[] = [];
  for (let attempt = 0; attempt < 50 && ids.length === 0; attempt++) {
    ids = [];
    for await (const schedule of env.client.schedule.list())
      if (schedule.scheduleId === scheduleId) ids.push(schedule.scheduleId);
    if (ids.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(ids).toEqual([scheduleId]);

  expect(await showSchedule(operator, { json: false })).toContain(`daily at ${hour}:45 (UTC)`);
  expect(JSON.parse(await removeSchedule(operator, { json: true }))).toEqual({ scheduleId, removed: true });
  expect(await removeSchedule(operator, { json: false })).toBe(`no schedule ${scheduleId} to remove`);
  await expect(showSchedule(operator, { json: false })).rejects.toThrow(/schedule install/);
});
