/**
 * Resilience run (`npm run chaos`): a 2,000-user tenant synced through everything that goes wrong in production
 * at once, then checked against the exact state it must end in. Everything runs on loopback and ends by itself:
 * its own Temporal dev server (a SQLite file it can restart), both simulators, worker processes as deployed.
 *
 * Injected: a wrong PBX secret (then fixed by restarting the workers, as an operator would), a Graph 429/503
 * storm, PBX 5xx and non-JSON replies and lost responses, the PBX revoking every token mid-run, SIGKILLed
 * workers, a Temporal server restart; then leavers offboarded through a second storm. Verified: no twin, no lost
 * user, no number used twice, leavers without access, no IP blocked, at most a handful of logins with the wrong
 * secret. Prints one table and ends with one JSON line.
 *
 * Run: `npm run chaos -- [--users N] [--seed S]`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { TENANT_ID, fullSyncWorkflowId, userStateQuery, userWorkflowId } from '../contracts/index.js';
import { checkExactPbxState } from '../harness/exact-state.js';
import { freePort } from '../harness/ports.js';
import { seededRandom } from '../harness/seeded-random.js';
import { startSimulatedWorld } from '../harness/simulated-world.js';
import { startDevServer, type DevServer } from '../harness/temporal-dev-server.js';
import { startWorkerProcess, type WorkerProcess } from '../harness/worker-process.js';
import { fullSync } from '../workflows/full-sync.js';
import { flag } from './realistic.js';

const USERS = Number(flag('--users') ?? 2000);
const SEED = Number(flag('--seed') ?? 42);
const LEAVERS = 30;
const PBX_LATENCY_MS = 10;
const random = seededRandom(SEED);

const dataDir = mkdtempSync(join(tmpdir(), 'chaos-'));
const dbFile = join(dataDir, 'temporal.sqlite');
const port = await freePort();
let server: DevServer = await startDevServer({ dbFile, port, headless: true, quiet: true });
const world = await startSimulatedWorld({
  users: USERS,
  seed: SEED,
  dataDir,
  tenantId: randomUUID(),
  pbxLatencyMs: PBX_LATENCY_MS,
  pbxMaxConcurrent: 4,
});
const policyFile = join(dataDir, 'config.json');
writeFileSync(policyFile, JSON.stringify({ sync: { offboarding: { maxCount: 100, maxPercent: 25 } } }));
const connection = await Connection.connect({ address: server.address });
const client = new Client({ connection });
const tenantId = world.env.ENTRA_TENANT_ID!;
const graph = world.graph.control;
const pbx = world.pbx.control;
const workers: WorkerProcess[] = [];
const injected: [string, string][] = [];
const verified: [string, string, boolean][] = [];
const started = Date.now();
const at = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
const log = (line: string) => console.log(`[${at()}] ${line}`);

function spawnWorker(extraEnv: Record<string, string> = {}): WorkerProcess {
  const worker = startWorkerProcess({
    ...world.env,
    ENTRA_PBX_CONFIG_FILE: policyFile,
    TEMPORAL_ADDRESS: server.address,
    ...extraEnv,
  });
  workers.push(worker);
  return worker;
}

async function startFullSync() {
  return client.workflow.start(fullSync, {
    workflowId: fullSyncWorkflowId(tenantId, new Date().toISOString()),
    taskQueue: world.env.ENTRA_PBX_TASK_QUEUE ?? 'entra-pbx-sync',
    args: [{ tenantId }],
    typedSearchAttributes: [{ key: TENANT_ID, value: tenantId }],
  });
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

const extensionCount = () => pbx.state().extensions.length;
const KNOWN_SIP = 'KnownSipPassword-2024';
const KNOWN_USER = 'Known7pass2Q';

/** What an admin does before handing out phones: sets passwords the test then knows (through the Open API). */
async function withKnownPasswords(users: { mail: string | null; userPrincipalName: string }[]) {
  const call = async (endpoint: string, body: object, token?: string) =>
    (await (
      await fetch(`${world.pbx.url}/openapi/v1.0/${endpoint}${token ? `?access_token=${token}` : ''}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'chaos-admin' },
        body: JSON.stringify(body),
      })
    ).json()) as { access_token?: string; errcode: number };
  const { access_token: token } = await call('get_token', {
    username: world.pbx.clientId,
    password: world.pbx.clientSecret,
  });
  const byEmail = new Map(pbx.state().extensions.map((e) => [e.email_addr.toLowerCase(), e]));
  const sampled = users.flatMap((u) => byEmail.get((u.mail ?? u.userPrincipalName).toLowerCase()) ?? []);
  for (const extension of sampled)
    await call(
      'extension/update',
      { id: extension.id, reg_password: KNOWN_SIP, user_password: KNOWN_USER },
      token,
    );
  return sampled;
}
const tokenRequests = () => pbx.counters()['get_token'] ?? 0;

try {
  // 1. A wrong PBX secret: the worker must stop asking, not get its IP blocked.
  const wrong = spawnWorker({ PBX_CLIENT_SECRET: 'not-the-secret' });
  await wrong.ready;
  const refused = await startFullSync();
  const outcome = await refused.result().then(
    () => 'completed',
    (error: Error) => (error.cause instanceof Error ? error.cause.message : error.message),
  );
  injected.push(['wrong PBX secret', `full sync refused: ${outcome.slice(0, 80)}…`]);
  for (let i = 0; i < 3; i++) await (await startFullSync()).result().catch(() => undefined);
  verified.push([
    'logins with the wrong secret',
    `${tokenRequests()} get_token for 4 runs`,
    tokenRequests() <= 2,
  ]);
  verified.push([
    'IP blocked',
    pbx.state().blockedIps.join(', ') || 'none',
    pbx.state().blockedIps.length === 0,
  ]);
  await wrong.kill('SIGTERM');
  log(`wrong secret: ${tokenRequests()} logins, run ended "${outcome.slice(0, 60)}"`);

  // 2. Fixed: two workers with the right secret; the first full sync runs through a storm.
  let oldest = spawnWorker();
  let successor = spawnWorker();
  await oldest.ready;
  graph.setFaults({
    rules: [
      { endpoint: 'GET /users', status: 429, retryAfterSeconds: 1, times: 3 },
      { match: 'GET /groups', status: 503, times: 2 },
      { endpoint: 'GET /users', status: 503, skip: 4, times: 2 },
    ],
  });
  injected.push(['Graph storm', '3× 429 (Retry-After 1 s) and 2× 503 on the users read, 2× 503 on groups']);
  pbx.injectFault({ endpoint: 'extension/create', kind: 'http', httpStatus: 503, count: 25 });
  pbx.injectFault({ endpoint: 'extension/create', kind: 'body', httpStatus: 502, body: 'html', count: 15 });
  pbx.injectFault({
    endpoint: 'extension/send_welcome_email',
    kind: 'body',
    httpStatus: 200,
    body: 'truncated-json',
    count: 5,
  });
  pbx.injectFault({ endpoint: 'extension/create', kind: 'drop-response', count: 10 });
  injected.push(['PBX replies', '25× 503, 15× HTML 502, 5× truncated JSON, 10 lost create responses']);
  const first = await startFullSync();
  const expected = (await checkExactPbxState(world, client, tenantId)).expected;
  const kills = [0.15, 0.45].map((f) => Math.round(expected * (f + random() * 0.1)));
  const revokeAt = Math.round(expected * 0.3);
  const restartAt = Math.round(expected * 0.65);
  const events = [
    { at: kills[0]!, what: 'kill' },
    { at: revokeAt, what: 'revoke' },
    { at: kills[1]!, what: 'kill' },
    { at: restartAt, what: 'restart' },
  ].sort((a, b) => a.at - b.at);
  for (const event of events) {
    await until(() => extensionCount() >= event.at, 900_000, `${event.at} extensions`);
    if (event.what === 'kill') {
      await oldest.kill('SIGKILL');
      injected.push(['worker SIGKILL', `at ${extensionCount()} of ${expected} extensions (${at()})`]);
      oldest = successor;
      successor = spawnWorker();
    } else if (event.what === 'revoke') {
      pbx.revokeAllTokens();
      injected.push([
        'PBX token revocation',
        `every access and refresh token, at ${extensionCount()} extensions`,
      ]);
    } else {
      await server.stop();
      await sleep(3000);
      server = await startDevServer({ dbFile, port, headless: true, quiet: true });
      injected.push(['Temporal restart', `3 s down, at ${extensionCount()} extensions (${at()})`]);
    }
    log(`${event.what} at ${extensionCount()} extensions`);
  }
  const firstResult = await first.result();
  log(
    `first full sync done: ${firstResult.convergence?.applied} of ${firstResult.convergence?.expected} applied`,
  );
  verified.push([
    'first sync converged',
    `${firstResult.convergence?.applied} of ${firstResult.convergence?.expected}, ${firstResult.convergence?.failed.length} failed`,
    firstResult.convergence?.unconfirmed === 0,
  ]);
  graph.clearFaults();
  pbx.clearFaults();

  // 3. Leavers, offboarded through a second storm.
  const leavers = graph
    .listUsers()
    .filter((u) => u.accountEnabled)
    .slice(0, LEAVERS);
  const sampled = await withKnownPasswords(leavers.slice(0, 5));
  for (const user of leavers) graph.disableUser(user.id);
  graph.setFaults({ rules: [{ endpoint: 'GET /users', status: 429, retryAfterSeconds: 1, times: 2 }] });
  pbx.injectFault({ endpoint: 'extension/update', kind: 'http', httpStatus: 504, count: 10 });
  injected.push(['offboarding storm', `${LEAVERS} leavers; 2× Graph 429, 10× PBX 504 on updates`]);
  const second = await startFullSync();
  await oldest.kill('SIGKILL');
  injected.push(['worker SIGKILL', `during the offboarding run (${at()})`]);
  spawnWorker();
  const secondResult = await second.result();
  log(`offboarding run done: ${secondResult.phase}, ${secondResult.convergence?.applied} applied`);
  graph.clearFaults();
  pbx.clearFaults();

  // 4. The exact state.
  const report = await checkExactPbxState(world, client, tenantId);
  const states = await Promise.all(
    leavers.map((u) =>
      client.workflow
        .getHandle(userWorkflowId(tenantId, u.id))
        .query(userStateQuery)
        .catch(() => undefined),
    ),
  );
  const withAccess = states.filter((s) => s?.phase !== 'disabled' && s?.phase !== 'error').length;
  const kinds = (pattern: RegExp) => report.problems.filter((line) => pattern.test(line)).length;
  const twins = kinds(/^(twin or stray|extension linked twice)/);
  verified.push(['no twin extension', `${twins} twins or strays`, twins === 0]);
  verified.push([
    'no lost user',
    `${report.expected} expected, ${kinds(/^lost/)} not active`,
    kinds(/^lost/) === 0,
  ]);
  verified.push(['no number or email used twice', `${kinds(/used twice/)} found`, kinds(/used twice/) === 0]);
  verified.push([
    'exact PBX state',
    report.problems.slice(0, 3).join('; ') || `${report.extensions} extensions, none extra or missing`,
    report.problems.length === 0,
  ]);
  const locked = sampled.filter(
    ({ number }) => !pbx.sipRegister(number, KNOWN_SIP).ok && !pbx.userLogin(number, KNOWN_USER).ok,
  ).length;
  verified.push([
    'leavers without access',
    `${LEAVERS - withAccess} of ${LEAVERS} disabled; ${locked} of ${sampled.length} sampled refuse their old passwords`,
    withAccess === 0 && locked === sampled.length,
  ]);
  verified.push([
    'IP never blocked',
    pbx.state().blockedIps.join(', ') || 'none',
    pbx.state().blockedIps.length === 0,
  ]);
  if (report.problems.length > 0) console.log(report.problems.slice(0, 30).join('\n'));

  const ok = verified.every(([, , pass]) => pass);
  console.log(`\nchaos run: ${USERS} users, seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  console.log('| injected | detail |\n|---|---|');
  for (const [what, detail] of injected) console.log(`| ${what} | ${detail} |`);
  console.log('\n| verified | result | pass |\n|---|---|---|');
  for (const [what, detail, pass] of verified)
    console.log(`| ${what} | ${detail} | ${pass ? 'yes' : 'NO'} |`);
  console.log(
    JSON.stringify({
      bench: 'chaos',
      users: USERS,
      seed: SEED,
      seconds: Math.round((Date.now() - started) / 1000),
      injected: injected.length,
      verified: verified.length,
      ok,
      problems: report.problems.length,
    }),
  );
  process.exitCode = ok ? 0 : 1;
} finally {
  await Promise.all(workers.map((worker) => worker.kill('SIGKILL')));
  await connection.close();
  await world.stop();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
