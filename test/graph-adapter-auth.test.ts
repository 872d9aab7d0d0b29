import { GraphFailure } from '../contracts/index.js';
import { startHarness, type SimHarness } from './support/graph-sim.js';
import { failureOf, until } from './support/until.js';
import { graphScopeFor } from '../activities/graph/index.js';
import { GraphTokens } from '../activities/graph/graph-token.js';

let h: SimHarness;

beforeAll(async () => {
  h = await startHarness({ users: 30 });
});

afterAll(async () => {
  await h?.stop();
});

afterEach(() => {
  h.sim.control.clearFaults();
});

const tokenRequests = (clientId: string) => h.sim.control.counters().tokenRequestsByApp[clientId] ?? 0;
const userListStatuses = () =>
  h.sim.control
    .counters()
    .recent.filter((r) => r.endpoint === 'GET /users')
    .map((r) => r.status);

/** The "next attempt at <ISO time>" a credentials failure names, in epoch ms. */
function nextAttemptAt(message: string): number {
  const at = /next attempt at (\S+?Z)/.exec(message)?.[1];
  if (!at) throw new Error(`no next attempt in: ${message}`);
  return Date.parse(at);
}

test('a Graph 401 on a cached token gets a new token once and retries; a second 401 is AuthenticationFailed', async () => {
  const source = h.source();
  const clientId = h.sim.defaultApp.clientId;
  await source.readUsersPage();

  h.sim.control.resetCounters();
  h.sim.control.setFaults({ rules: [{ endpoint: 'GET /users', status: 401, times: 1 }] });
  expect((await source.readUsersPage()).items).toHaveLength(30);
  expect(userListStatuses()).toEqual([401, 200]);
  expect(tokenRequests(clientId)).toBe(1);

  h.sim.control.resetCounters();
  h.sim.control.setFaults({ rules: [{ endpoint: 'GET /users', status: 401, times: 2 }] });
  const err = await failureOf(() => source.readUsersPage());
  expect(err).toMatchObject({ type: GraphFailure.AuthenticationFailed, nonRetryable: true });
  expect(err.message).toContain('InvalidAuthenticationToken');
  expect(userListStatuses()).toEqual([401, 401]);
  expect(tokenRequests(clientId)).toBe(1);

  // The renewed token is cached again: no token request for the next call.
  h.sim.control.resetCounters();
  await source.readUsersPage();
  expect(tokenRequests(clientId)).toBe(0);
});

test('concurrent 401s on the same token renew it once', async () => {
  const source = h.source();
  const clientId = h.sim.defaultApp.clientId;
  await source.readUsersPage();
  h.sim.control.resetCounters();
  // The latency makes the five first requests meet the fault before any retry does.
  h.sim.control.setFaults({ latencyMs: 300, rules: [{ endpoint: 'GET /users', status: 401, times: 5 }] });
  const pages = await Promise.all(Array.from({ length: 5 }, () => source.readUsersPage()));
  expect(pages.every((p) => p.items.length === 30)).toBe(true);
  expect(userListStatuses().sort()).toEqual([200, 200, 200, 200, 200, 401, 401, 401, 401, 401]);
  expect(tokenRequests(clientId)).toBe(1);
});

test('rejected app credentials are remembered: calls fail fast without token requests until a growing cool-down passes', async () => {
  const wrongSecret = 'a-wrong-secret-Q~4242';
  const app = h.sim.control.registerApp({ clientSecret: 'the-registered-secret', roles: ['User.Read.All'] });
  const coolDownMs = 1000;
  const source = h.source({
    clientId: app.clientId,
    auth: { kind: 'secret', clientSecret: wrongSecret },
    credentialCoolDownMs: coolDownMs,
  });

  const started = Date.now();
  const failures = [];
  for (let i = 0; i < 100; i++) failures.push(await failureOf(() => source.readUsersPage()));
  const elapsed = Date.now() - started;
  expect(tokenRequests(app.clientId)).toBeLessThanOrEqual(2);
  for (const f of failures) {
    expect(f).toMatchObject({ type: GraphFailure.AuthenticationFailed, nonRetryable: true });
    expect(f.message).not.toContain(wrongSecret);
  }
  const last = failures.at(-1)!.message;
  expect(last).toContain("Entra rejected the app's credentials");
  expect(last).toContain('AADSTS7000215');
  expect(last).toContain('ENTRA_CLIENT_SECRET/ENTRA_CLIENT_CERTIFICATE_PATH');
  const firstRetryAt = nextAttemptAt(last);
  expect(firstRetryAt - started).toBeGreaterThanOrEqual(coolDownMs - 50);
  expect(firstRetryAt - started).toBeLessThanOrEqual(coolDownMs + elapsed + 50);
  console.log(
    `100 calls with a rejected secret: ${tokenRequests(app.clientId)} token request(s), ${elapsed} ms`,
  );

  // Once the cool-down has passed, concurrent callers share one attempt; a new rejection doubles the wait.
  await until(() => Date.now() > firstRetryAt, 5000, 'first cool-down');
  const before = tokenRequests(app.clientId);
  const attemptStarted = Date.now();
  const concurrent = await Promise.all(
    Array.from({ length: 20 }, () => failureOf(() => source.readUsersPage())),
  );
  expect(concurrent.every((f) => f['type'] === GraphFailure.AuthenticationFailed)).toBe(true);
  expect(tokenRequests(app.clientId)).toBe(before + 1);
  const secondRetryAt = nextAttemptAt(concurrent[0]!.message);
  expect(secondRetryAt - attemptStarted).toBeGreaterThanOrEqual(2 * coolDownMs - 50);

  // The operator fixes the registration; the next attempt after the cool-down succeeds.
  h.sim.control.updateApp(app.clientId, { clientSecret: wrongSecret });
  expect(await failureOf(() => source.readUsersPage())).toMatchObject({
    type: GraphFailure.AuthenticationFailed,
  });
  await until(() => Date.now() > secondRetryAt, 5000, 'second cool-down');
  expect((await source.readUsersPage()).items).toHaveLength(30);
  expect(tokenRequests(app.clientId)).toBe(before + 2);
});

test('tokens are asked for the Graph host of the cloud in use: a national cloud is its own resource', async () => {
  const asked: string[] = [];
  const credential = {
    getToken: async (scope: string | string[]) => {
      asked.push(String(scope));
      return { token: 'token', expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
  for (const base of [
    'https://graph.microsoft.us/v1.0',
    'https://microsoftgraph.chinacloudapi.cn/v1.0',
    'https://graph.microsoft.com/v1.0',
    'https://127.0.0.1:8443/v1.0',
  ])
    await new GraphTokens(() => credential, undefined, graphScopeFor(base)).token();
  expect(asked).toEqual([
    'https://graph.microsoft.us/.default',
    'https://microsoftgraph.chinacloudapi.cn/.default',
    'https://graph.microsoft.com/.default',
    'https://graph.microsoft.com/.default',
  ]);
});
