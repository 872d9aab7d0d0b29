import { appToken, rawRequest, startHarness, type SimHarness } from './support/graph-sim.js';

let h: SimHarness;
let token: string;

beforeAll(async () => {
  h = await startHarness({ users: 300, seed: 5 });
  token = await appToken(h.sim);
});

afterAll(async () => {
  await h?.stop();
});

afterEach(() => h.sim.control.clearFaults());

const get = (url: string, bearer = token) =>
  rawRequest(h.sim, 'GET', url.startsWith('https://') ? url.slice(h.sim.url.length) : `/v1.0${url}`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
const tokenRequest = (clientId: string, secret: string) =>
  rawRequest(h.sim, 'POST', `/${h.sim.tenantId}/oauth2/v2.0/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      scope: 'https://graph.microsoft.com/.default',
    }).toString(),
  });

test('skip lets the first N matching requests through: page 2 of a users read fails once', async () => {
  h.sim.control.setFaults({ rules: [{ endpoint: 'GET /users', status: 503, skip: 1, times: 1 }] });
  // An exact endpoint key leaves other /users endpoints alone.
  expect((await get('/users/delta')).status).toBe(200);
  const page1 = await get('/users?$top=100');
  expect(page1.status).toBe(200);
  const next = page1.json<{ '@odata.nextLink': string }>()['@odata.nextLink'];
  const failed = await get(next);
  expect(failed.status).toBe(503);
  expect(failed.json()).toMatchObject({ error: { code: 'ServiceUnavailable' } });
  expect((await get(next)).status).toBe(200);
});

test('match is a substring of the endpoint key; skip counts matching requests only', async () => {
  h.sim.control.setFaults({ rules: [{ match: 'GET /users', status: 500, skip: 2, times: 1 }] });
  expect((await get('/groups?$top=1')).status).toBe(200);
  expect((await get('/users?$top=1')).status).toBe(200);
  expect((await get('/users/delta')).status).toBe(200);
  expect((await get('/users?$top=1')).status).toBe(500);
  expect((await get('/users?$top=1')).status).toBe(200);
});

test('status 401: a valid token is rejected with InvalidAuthenticationToken, then accepted again', async () => {
  h.sim.control.setFaults({ rules: [{ match: 'GET /users', status: 401, times: 1 }] });
  const rejected = await get('/users?$top=1');
  expect(rejected.status).toBe(401);
  expect(rejected.json()).toMatchObject({
    error: {
      code: 'InvalidAuthenticationToken',
      message: 'Access token validation failure. Invalid audience.',
      innerError: { 'request-id': expect.any(String) },
    },
  });
  expect((await get('/users?$top=1')).status).toBe(200);
});

test('a 429 fault carries Retry-After and the documented throttling body', async () => {
  h.sim.control.setFaults({ rules: [{ match: '/groups', status: 429, retryAfterSeconds: 2.128, times: 1 }] });
  const throttled = await get('/groups');
  expect(throttled.status).toBe(429);
  expect(throttled.headers['retry-after']).toBe('2.128');
  expect(throttled.json()).toMatchObject({
    error: {
      code: 'TooManyRequests',
      message: 'Please retry again later.',
      innerError: { code: '429', status: '429', message: 'Please retry after' },
    },
  });
});

test('a changed secret makes the token endpoint answer invalid_client; token requests are counted per app', async () => {
  const app = h.sim.control.registerApp({ clientSecret: 'first-secret', roles: ['User.Read.All'] });
  h.sim.control.resetCounters();
  expect((await tokenRequest(app.clientId, 'first-secret')).status).toBe(200);
  h.sim.control.updateApp(app.clientId, { clientSecret: 'rotated-secret' });
  const rejected = await tokenRequest(app.clientId, 'first-secret');
  expect(rejected.status).toBe(401);
  expect(rejected.json()).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
  expect((await tokenRequest(app.clientId, 'rotated-secret')).status).toBe(200);

  const counters = h.sim.control.counters();
  expect(counters.tokenRequestsByApp).toEqual({ [app.clientId]: 3 });
  expect(counters.byApp[app.clientId]).toBeUndefined(); // Graph requests only
  expect(counters.recent.filter((r) => r.clientId === app.clientId).map((r) => r.status)).toEqual([
    200, 401, 200,
  ]);
});
