/**
 * Full-sync benchmark: its own Temporal dev server (temporary SQLite file, headless, a free port), both
 * simulators with realistic settings (Graph 150 ms per request; PBX 100 ms per request, at most 4 processed at
 * once) and a generated tenant, an in-process worker wired like scripts/demo.ts, then two `fullSync` runs: the
 * first onboards the tenant, the second finds nothing to change. Prints, per run, the elapsed time, requests
 * per simulator and endpoint, Temporal workflow/activity/history counts, the lower bound implied by the
 * simulator settings and the plan.
 *
 * Run: `npx tsx bench/full-sync.ts [--users N]` (default 10,000 users).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { loadWorkerConfig } from '../config/index.js';
import { startLocalWorker } from '../harness/local-worker.js';
import { fullSync } from '../workflows/full-sync.js';
import { startDevServer } from '../harness/temporal-dev-server.js';
import { flag, GRAPH_LATENCY_MS, PBX_CONCURRENCY, PBX_LATENCY_MS, PROGRESS_EVERY_MS } from './realistic.js';
import { freePort } from '../harness/ports.js';
import { startSimulatedWorld } from '../harness/simulated-world.js';
import {
  SYNC_RUN_ID,
  TENANT_ID,
  WorkflowType,
  atLeast,
  entitiesThatApplied,
  equals,
  fullSyncProgressQuery,
  fullSyncWorkflowId,
  isRunning,
  notEquals,
  oneOf,
  workflowsOf,
} from '../contracts/index.js';

const HISTORY_SAMPLE = 50;

const USERS = Number(flag('--users') ?? 10_000);
if (!Number.isInteger(USERS) || USERS < 1) throw new Error('--users takes a positive integer');

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const table = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `    ${String(n).padStart(7)}  ${key}`)
    .join('\n');

// ── worker-side metrics: Temporal's Prometheus exporter, scraped before and after each run ────────────────
const metricsPort = await freePort();
Runtime.install({
  logger: new DefaultLogger((process.env.LOG_LEVEL?.toUpperCase() as LogLevel | undefined) ?? 'WARN'),
  telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${metricsPort}` } } },
});

/** Metric name → label set (activity/workflow type only) → value; other labels (buckets…) are summed. */
type Metrics = Map<string, number>;
async function scrapeMetrics(): Promise<Metrics> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const metrics: Metrics = new Map();
  for (const line of text.split('\n')) {
    const match = /^(\w+)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match || match[1]!.endsWith('_bucket')) continue;
    const labels = [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)]
      .filter(([, key]) => key === 'activity_type' || key === 'workflow_type')
      .map(([, , value]) => value)
      .join(',');
    const key = `${match[1]}{${labels}}`;
    metrics.set(key, (metrics.get(key) ?? 0) + Number(match[3]));
  }
  return metrics;
}
/** Change of a metric between two scrapes, summed over the label sets that contain `label` (all if omitted). */
function metricDelta(after: Metrics, before: Metrics, name: string, label?: string): number {
  let total = 0;
  for (const [key, value] of after) {
    const brace = key.indexOf('{');
    if (key.slice(0, brace) !== name) continue;
    if (
      label !== undefined &&
      !key
        .slice(brace + 1, -1)
        .split(',')
        .includes(label)
    )
      continue;
    total += value - (before.get(key) ?? 0);
  }
  return total;
}
const meanDelta = (after: Metrics, before: Metrics, name: string, label?: string) =>
  metricDelta(after, before, `${name}_sum`, label) /
  Math.max(1, metricDelta(after, before, `${name}_count`, label));

/** Counts calls and busy time per activity type, in process (exact, unlike a history sample). */
const activityCalls = new Map<string, { calls: number; failures: number; ms: number }>();
function counted<T extends object>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: unknown[]) => {
        const stats = activityCalls.get(name) ?? { calls: 0, failures: 0, ms: 0 };
        activityCalls.set(name, stats);
        stats.calls++;
        const started = performance.now();
        try {
          return await (fn as (...a: unknown[]) => Promise<unknown>)(...args);
        } catch (error) {
          stats.failures++;
          throw error;
        } finally {
          stats.ms += performance.now() - started;
        }
      },
    ]),
  ) as T;
}

// ── the world ─────────────────────────────────────────────────────────────────────────────────────────────
const dataDir = mkdtempSync(join(tmpdir(), 'full-sync-bench-'));
const configFile = join(dataDir, 'config.json');
// The default number range (1000–5999) holds 5,000 numbers: a bigger tenant needs a bigger one.
const numberRange = { from: 100_000, to: 100_000 + 2 * USERS };
writeFileSync(configFile, JSON.stringify({ sync: { numbers: { ranges: [numberRange] } } }));

const temporalPort = await freePort();
console.log(`full-sync benchmark: ${USERS} users, data in ${dataDir}`);
const temporal = await startDevServer({
  dbFile: join(dataDir, 'temporal.sqlite'),
  port: temporalPort,
  headless: true,
});
const generateStarted = performance.now();
const world = await startSimulatedWorld({
  users: USERS,
  dataDir,
  graphLatencyMs: GRAPH_LATENCY_MS,
  pbxLatencyMs: PBX_LATENCY_MS,
  pbxMaxConcurrent: PBX_CONCURRENCY,
});
// The simulated PBX holds 500 extensions by default; a real P-Series Cloud plan is sized to the tenant.
world.pbx.control.configure({ extensionCapacity: USERS + 1000 });
console.log(
  `Temporal ${temporal.address}; Graph ${world.graph.url} (${GRAPH_LATENCY_MS} ms/request); ` +
    `PBX ${world.pbx.url} (${PBX_LATENCY_MS} ms/request, ≤ ${PBX_CONCURRENCY} at once); ` +
    `tenant generated and simulators up in ${seconds(performance.now() - generateStarted)}`,
);

const config = loadWorkerConfig({ ...world.env, ENTRA_PBX_CONFIG_FILE: configFile });
const worker = await startLocalWorker(config, temporal.address, { wrapActivities: counted });
const connection = await Connection.connect({ address: temporal.address });
const client = new Client({ connection });
const tenantId = config.graph.tenantId;
const count = async (query: string) => (await client.workflow.count(query)).count;

// ── one measured full sync ────────────────────────────────────────────────────────────────────────────────
const PBX_READ = /(^|\/)(list|get|query|search)$/;
const PBX_TOKEN = /_token$/;
const isGraphPage = (endpoint: string) => !/oauth2|token|well-known|discovery|openid/i.test(endpoint);

async function measuredRun(label: string): Promise<void> {
  console.log(`\n━━ ${label} ━━`);
  world.graph.control.resetCounters();
  world.pbx.control.resetCounters();
  activityCalls.clear();
  const metricsBefore = await scrapeMetrics();
  const cpuBefore = {
    bench: process.cpuUsage(),
    temporal: temporalCpuSeconds(),
    machine: machineCpuSeconds(),
  };
  await sleepUntilSecondBoundary();
  const startedAt = new Date();
  const since = startedAt.toISOString();
  const workflowId = fullSyncWorkflowId(tenantId, since);
  const started = performance.now();
  const handle = await client.workflow.start(fullSync, {
    workflowId,
    taskQueue: config.taskQueue,
    args: [{ tenantId }],
    typedSearchAttributes: [{ key: TENANT_ID, value: tenantId }],
  });

  const progress = setInterval(() => {
    void (async () => {
      const [phase, startedWorkflows, applied] = await Promise.all([
        handle.query(fullSyncProgressQuery).then((p) => p.phase),
        count(workflowsOf(WorkflowType.userLifecycle, tenantId, atLeast('StartTime', since))),
        count(entitiesThatApplied(tenantId, workflowId)),
      ]);
      const pbxRequests = sum(Object.values(world.pbx.control.counters()));
      console.log(
        `  … ${seconds(performance.now() - started)}: phase ${phase}, user workflows started ${startedWorkflows}, ` +
          `applied ${applied}, PBX requests ${pbxRequests}`,
      );
    })().catch((error: unknown) => console.log(`  … progress query failed: ${String(error)}`));
  }, PROGRESS_EVERY_MS);
  const result = await handle.result().finally(() => clearInterval(progress));
  const elapsedMs = performance.now() - started;
  const metricsAfter = await scrapeMetrics();

  // Simulators.
  const graph = world.graph.control.counters();
  const pbx = world.pbx.control.counters();
  const graphPages = sum(Object.entries(graph.byEndpoint).flatMap(([e, n]) => (isGraphPage(e) ? [n] : [])));
  const pbxTotal = sum(Object.values(pbx));
  const pbxTokens = sum(Object.entries(pbx).flatMap(([e, n]) => (PBX_TOKEN.test(e) ? [n] : [])));
  const pbxReads = sum(Object.entries(pbx).flatMap(([e, n]) => (PBX_READ.test(e) ? [n] : [])));
  const pbxWrites = pbxTotal - pbxReads - pbxTokens;

  // Temporal: visibility counts, the full sync's own history, a sample of user histories.
  const userWorkflows = (...conditions: string[]) =>
    workflowsOf(WorkflowType.userLifecycle, tenantId, ...conditions);
  const [totalStarted, usersStarted, usersTotal, usersRunning, usersApplied, usersFailed, closedDuring] =
    await Promise.all([
      count(atLeast('StartTime', since)),
      count(userWorkflows(atLeast('StartTime', since))),
      count(userWorkflows()),
      count(userWorkflows(isRunning)),
      count(userWorkflows(equals(SYNC_RUN_ID, workflowId))),
      count(userWorkflows(oneOf('ExecutionStatus', ['Failed', 'Terminated', 'TimedOut']))),
      count(userWorkflows(notEquals('ExecutionStatus', 'Running'), atLeast('CloseTime', since))),
    ]);
  const history = await handle.fetchHistory();
  const events = history.events ?? [];
  const scheduled = events.filter((e) => e.activityTaskScheduledEventAttributes).length;
  const sampleLengths: number[] = [];
  const sampleTrouble = { workflowTaskTimeouts: 0, workflowTaskFailures: 0, activityTimeouts: 0 };
  for await (const execution of client.workflow.list({
    query: userWorkflows(equals(SYNC_RUN_ID, workflowId)),
  })) {
    if (sampleLengths.length >= HISTORY_SAMPLE) break;
    const sample = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    sampleLengths.push(sample.events?.length ?? 0);
    for (const event of sample.events ?? []) {
      if (event.workflowTaskTimedOutEventAttributes) sampleTrouble.workflowTaskTimeouts++;
      if (event.workflowTaskFailedEventAttributes) sampleTrouble.workflowTaskFailures++;
      if (event.activityTaskTimedOutEventAttributes) sampleTrouble.activityTimeouts++;
    }
  }
  const meanUserHistory = sampleLengths.length ? sum(sampleLengths) / sampleLengths.length : 0;

  const delta = (name: string, label?: string) => metricDelta(metricsAfter, metricsBefore, name, label);
  const mean = (name: string, label?: string) => meanDelta(metricsAfter, metricsBefore, name, label);
  const workflowTypes = ['fullSync', 'userLifecycle'];
  const cpu = {
    bench: process.cpuUsage(cpuBefore.bench),
    temporal: temporalCpuSeconds() - cpuBefore.temporal,
    machine: machineCpuSeconds() - cpuBefore.machine,
  };

  // Lower bound from the simulator settings.
  const pbxWriteMs = (pbxWrites * PBX_LATENCY_MS) / PBX_CONCURRENCY;
  const pbxAllMs = ((pbxTotal - pbxTokens) * PBX_LATENCY_MS) / PBX_CONCURRENCY;
  const graphMs = graphPages * GRAPH_LATENCY_MS;
  const lowerBoundMs = pbxWriteMs + graphMs;
  const strictBoundMs = pbxAllMs + graphMs;

  console.log(`elapsed ${seconds(elapsedMs)}  (workflow ${workflowId})`);
  console.log(`plan ${JSON.stringify(result.plan?.counts)}`);
  const { failed = [], ...convergence } = result.convergence ?? {};
  console.log(
    `convergence ${JSON.stringify(convergence)} (${failed.length} failures sampled)  groups ${JSON.stringify(result.groups)}`,
  );
  if (result.plan?.samples.errors.length)
    console.log(`plan errors (per-user bad input, e.g.): ${result.plan.samples.errors[0]}`);
  console.log(`Graph simulator: ${graph.total} requests (${graphPages} Graph API pages), by endpoint:`);
  console.log(table(graph.byEndpoint));
  console.log(
    `PBX simulator: ${pbxTotal} requests = ${pbxWrites} writes + ${pbxReads} reads + ${pbxTokens} token calls; ` +
      `peak ${world.pbx.control.peakConcurrency()} at once; by endpoint:`,
  );
  console.log(table(pbx));
  console.log('Temporal (visibility count() queries):');
  console.log(`    ${totalStarted} workflow executions started during the run (full sync + user workflows)`);
  console.log(
    `    userLifecycle: ${usersStarted} started during the run, ${usersApplied} applied this run (SyncRunId), ` +
      `${closedDuring} closed during the run (incl. continue-as-new), ${usersRunning} running of ${usersTotal}, ` +
      `${usersFailed} failed/terminated/timed out`,
  );
  console.log(
    `    full-sync history: ${events.length} events, ${scheduled} activities scheduled; ` +
      `user-workflow history: mean ${meanUserHistory.toFixed(1)} events over ${sampleLengths.length} sampled ` +
      `applied workflows → ≈ ${Math.round(meanUserHistory * usersApplied)} events for the ${usersApplied} applied; ` +
      `in the sample ${JSON.stringify(sampleTrouble)}`,
  );
  console.log('Worker (in process; Temporal SDK metrics and a counting wrapper around the activities):');
  for (const type of workflowTypes)
    console.log(
      `    ${type}: ${delta('temporal_workflow_task_execution_latency_count', type)} workflow tasks, ` +
        `mean ${mean('temporal_workflow_task_execution_latency', type).toFixed(0)} ms each, ` +
        `${delta('temporal_workflow_task_execution_failed', type)} failed; ` +
        `sticky cache ${delta('temporal_sticky_cache_hit', type)} hits, ${delta('temporal_sticky_cache_miss', type)} misses`,
    );
  console.log(
    `    workflow task schedule-to-start mean ${mean('temporal_workflow_task_schedule_to_start_latency').toFixed(0)} ms; ` +
      `activity task schedule-to-start mean ${mean('temporal_activity_schedule_to_start_latency').toFixed(0)} ms`,
  );
  for (const [type, s] of activityCalls)
    console.log(
      `    ${String(s.calls).padStart(7)}  ${type} (${delta('temporal_activity_task_received', type)} tasks received; ` +
        `${s.failures} failed; mean ${(s.ms / s.calls).toFixed(0)} ms, ${seconds(s.ms)} summed)`,
    );
  console.log(`    ${sum([...activityCalls.values()].map((s) => s.calls))} activity executions in all`);
  console.log(
    `CPU (${cpus().length} cores): this process (worker + simulators) ${((cpu.bench.user + cpu.bench.system) / 1e6).toFixed(1)} s, ` +
      `Temporal dev server ${cpu.temporal.toFixed(1)} s, whole machine ${cpu.machine.toFixed(1)} s (other processes ` +
      `${(cpu.machine - cpu.temporal - (cpu.bench.user + cpu.bench.system) / 1e6).toFixed(1)} s), ` +
      `over ${seconds(elapsedMs)} elapsed`,
  );
  console.log(
    `lower bound = PBX writes ${pbxWrites} × ${PBX_LATENCY_MS} ms / ${PBX_CONCURRENCY} + Graph pages ${graphPages} × ` +
      `${GRAPH_LATENCY_MS} ms = ${seconds(lowerBoundMs)}; elapsed / lower bound = ` +
      `${lowerBoundMs > 0 ? (elapsedMs / lowerBoundMs).toFixed(2) : 'n/a (no writes, no pages)'}`,
  );
  console.log(
    `strict bound (every non-token PBX request ${pbxTotal - pbxTokens} × ${PBX_LATENCY_MS} ms / ${PBX_CONCURRENCY}, ` +
      `reads share the PBX's 4 slots) = ${seconds(strictBoundMs)}; ratio ${(elapsedMs / strictBoundMs).toFixed(2)}`,
  );
}

/** CPU seconds used so far by the dev server (found by its unique SQLite path in /proc; 0 if not found). */
let temporalPid: number | undefined;
function temporalCpuSeconds(): number {
  try {
    temporalPid ??= readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number)
      .find((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir);
        } catch {
          return false;
        }
      });
    if (temporalPid === undefined) return 0;
    const fields = readFileSync(`/proc/${temporalPid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds all cores spent busy since boot (/proc/stat; 0 where unavailable). */
function machineCpuSeconds(): number {
  try {
    const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    // user nice system idle iowait irq softirq steal (guest time is already counted in user).
    const values = ticks.slice(0, 8).map(Number);
    return (sum(values) - values[3]! - values[4]!) / 100;
  } catch {
    return 0;
  }
}

/** count() filters on StartTime/CloseTime at second precision on some stores: start on a fresh second. */
async function sleepUntilSecondBoundary(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
}

/**
 * What one visibility count() costs the dev server with the tenant's user workflows in it: the full sync's
 * awaitConvergence polls such a count about once a second while a run applies.
 */
async function measureCountCost(queries = 20): Promise<void> {
  const query = entitiesThatApplied(tenantId, 'no-such-run');
  const cpuBefore = temporalCpuSeconds();
  const started = performance.now();
  for (let i = 0; i < queries; i++) await count(query);
  const wallMs = (performance.now() - started) / queries;
  const cpuMs = ((temporalCpuSeconds() - cpuBefore) * 1000) / queries;
  console.log(
    `\nvisibility count() of the applied-users kind, ${queries}× on the idle server: ${wallMs.toFixed(0)} ms wall, ` +
      `${cpuMs.toFixed(0)} ms dev-server CPU each`,
  );
}

try {
  await measuredRun(`run 1: initial full sync of ${USERS} users`);
  await measuredRun('run 2: full sync with no changes');
  await measureCountCost();
} finally {
  await worker.stop();
  await connection.close();
  await world.stop();
  await temporal.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
