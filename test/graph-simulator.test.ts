import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Agent } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { appToken, rawRequest, startHarness, type SimHarness } from './support/graph-sim.js';
import { failureOf } from './support/until.js';

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

const graph = (path: string, headers: Record<string, string> = {}, method = 'GET', body?: unknown) =>
  rawRequest(h.sim, method, `/v1.0${path}`, {
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe('Entra token side', () => {
  test('discovery is tenant-first and has what MSAL requires', async () => {
    const res = await rawRequest(h.sim, 'GET', `/${h.sim.tenantId}/v2.0/.well-known/openid-configuration`);
    const doc = res.json<Record<string, string>>();
    expect(doc['token_endpoint']).toBe(`${h.sim.url}/${h.sim.tenantId}/oauth2/v2.0/token`);
    expect(doc['authorization_endpoint']).toBe(`${h.sim.url}/${h.sim.tenantId}/oauth2/v2.0/authorize`);
    expect(doc['issuer']).toBe(`${h.sim.url}/${h.sim.tenantId}/v2.0`);
    expect(doc['jwks_uri']).toBe(`${h.sim.url}/${h.sim.tenantId}/discovery/v2.0/keys`);
  });

  test('wrong secret → 401 invalid_client with an AADSTS JSON body; the real credential reports it', async () => {
    const res = await rawRequest(h.sim, 'POST', `/${h.sim.tenantId}/oauth2/v2.0/token`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=client_credentials&client_id=${h.sim.defaultApp.clientId}&client_secret=nope&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default`,
    });
    expect(res.status).toBe(401);
    expect(res.json()).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });

    const credential = new ClientSecretCredential(h.sim.tenantId, h.sim.defaultApp.clientId, 'nope', {
      authorityHost: h.sim.authorityHost,
      disableInstanceDiscovery: true,
      agent: new Agent({ ca: readFileSync(h.sim.caCertPath) }),
    });
    const err = await failureOf(() => credential.getToken('https://graph.microsoft.com/.default'));
    expect(err.message).toContain('AADSTS7000215');
  });

  test('authorization-code sign-in yields an RS256 id_token with oid, tid, preferred_username, email', async () => {
    const user = h.sim.control.listUsers().find((u) => u.mail && u.accountEnabled && u.userType === 'Member');
    if (!user) throw new Error('no suitable user');
    const app = h.sim.control.registerApp({
      clientSecret: 'pbx-sso-secret',
      roles: [],
      redirectUris: ['https://pbx.example/sso'],
    });
    const authorize = await rawRequest(
      h.sim,
      'GET',
      `/${h.sim.tenantId}/oauth2/v2.0/authorize?client_id=${app.clientId}&response_type=code&redirect_uri=${encodeURIComponent('https://pbx.example/sso')}&scope=openid%20profile%20email&state=s1&nonce=n1&login_hint=${encodeURIComponent(user.userPrincipalName)}`,
    );
    expect(authorize.status).toBe(302);
    const location = new URL(String(authorize.headers['location']));
    expect(location.searchParams.get('state')).toBe('s1');
    const res = await rawRequest(h.sim, 'POST', `/${h.sim.tenantId}/oauth2/v2.0/token`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: app.clientId,
        client_secret: 'pbx-sso-secret',
        code: location.searchParams.get('code') ?? '',
        redirect_uri: 'https://pbx.example/sso',
      }).toString(),
    });
    const idToken = res.json<{ id_token: string }>().id_token;
    const jwks = (
      await rawRequest(h.sim, 'GET', `/${h.sim.tenantId}/discovery/v2.0/keys`)
    ).json<JSONWebKeySet>();
    const { payload, protectedHeader } = await jwtVerify(idToken, createLocalJWKSet(jwks), {
      issuer: `${h.sim.url}/${h.sim.tenantId}/v2.0`,
      audience: app.clientId,
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({
      oid: user.id,
      tid: h.sim.tenantId,
      preferred_username: user.userPrincipalName,
      email: user.mail,
      nonce: 'n1',
    });
  });
});

describe('Graph surface', () => {
  test('no token → 401 InvalidAuthenticationToken as JSON with innerError', async () => {
    const res = await rawRequest(h.sim, 'GET', '/v1.0/users');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toMatchObject({
      error: {
        code: 'InvalidAuthenticationToken',
        message: 'Access token is empty.',
        innerError: { 'request-id': expect.any(String) },
      },
    });
  });

  test('$top, $select, $count and advanced-query rules follow the documented errors', async () => {
    expect((await graph('/users?$top=1000')).status).toBe(400);
    const page = (await graph('/users?$top=5&$select=id,mail')).json<{
      value: object[];
      '@odata.nextLink': string;
    }>();
    expect(Object.keys(page.value[0] ?? {}).sort()).toEqual(['id', 'mail']);
    expect(page['@odata.nextLink']).toMatch(new RegExp(`^${h.sim.url}/v1.0/users\\?.*\\$skiptoken=`));
    expect((await graph('/users/$count')).json()).toMatchObject({
      error: { code: 'Request_BadRequest', message: '$count is not currently supported.' },
    });
    expect((await graph('/users/$count', { consistencylevel: 'eventual' })).text).toBe(
      String(h.sim.control.stats().liveUsers),
    );
    expect((await graph('/users?$count=true')).json()).not.toHaveProperty(['@odata.count']);
    expect((await graph('/users?$count=true', { consistencylevel: 'eventual' })).json()).toHaveProperty(
      ['@odata.count'],
      300,
    );
    const ne = await graph(`/users?$filter=${encodeURIComponent('accountEnabled ne true')}`);
    expect(ne.json()).toMatchObject({ error: { code: 'Request_UnsupportedQuery' } });
  });

  test('role checks: 403 Authorization_RequestDenied', async () => {
    const app = h.sim.control.registerApp({ clientSecret: 's3cret-none', roles: [] });
    const weak = await appToken(h.sim, app.clientId, 's3cret-none');
    const res = await rawRequest(h.sim, 'GET', '/v1.0/users', {
      headers: { authorization: `Bearer ${weak}` },
    });
    expect(res.status).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'Authorization_RequestDenied' } });
  });

  test('getPresencesByUserId takes at most 650 ids', async () => {
    const ids = Array.from({ length: 651 }, (_, i) => `id-${i}`);
    expect((await graph('/communications/getPresencesByUserId', {}, 'POST', { ids })).status).toBe(400);
    expect(
      (await graph('/communications/getPresencesByUserId', {}, 'POST', { ids: ids.slice(1) })).status,
    ).toBe(200);
  });

  test('$batch: at most 20 steps, failed dependencies → 424', async () => {
    const steps = Array.from({ length: 21 }, (_, i) => ({
      id: String(i),
      method: 'GET',
      url: '/users?$top=1',
    }));
    expect((await graph('/$batch', {}, 'POST', { requests: steps })).status).toBe(400);
    const res = await graph('/$batch', {}, 'POST', {
      requests: [
        { id: '1', method: 'GET', url: '/users/does-not-exist' },
        { id: '2', method: 'GET', url: '/users?$top=1', dependsOn: ['1'] },
        { id: '3', method: 'GET', url: '/groups?$top=1' },
      ],
    });
    expect(
      res.json<{ responses: { id: string; status: number }[] }>().responses.map((r) => [r.id, r.status]),
    ).toEqual([
      ['1', 404],
      ['2', 424],
      ['3', 200],
    ]);
  });

  test('budgets and faults: 429 with fractional Retry-After, latency', async () => {
    h.sim.control.setFaults({
      rules: [{ match: 'GET /groups', status: 429, retryAfterSeconds: 2.128, times: 1 }],
    });
    const throttled = await graph('/groups');
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('2.128');
    expect(throttled.json()).toMatchObject({ error: { code: 'TooManyRequests' } });
    expect((await graph('/groups')).status).toBe(200);

    h.sim.control.setFaults({ budgets: { [h.sim.defaultApp.clientId]: { requests: 2, perSeconds: 60 } } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await graph('/users?$top=1')).status);
    expect(statuses).toEqual([200, 200, 429]);
    h.sim.control.clearFaults();

    h.sim.control.setFaults({ latencyMs: 150 });
    const started = Date.now();
    await graph('/users?$top=1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });
});

describe('change notifications', () => {
  let server: Server;
  let received: { url: string; body: string }[];

  beforeAll(async () => {
    received = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const validation = new URL(req.url ?? '/', 'http://x').searchParams.get('validationToken');
        if (validation !== null) {
          res.writeHead(200, { 'content-type': 'text/plain' }).end(validation);
          return;
        }
        received.push({ url: req.url ?? '', body });
        res.writeHead(202).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });

  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('validation handshake, then a notification with clientState for a user change', async () => {
    const port = (server.address() as AddressInfo).port;
    const expiration = new Date(Date.now() + 3600_000).toISOString();
    const created = await graph('/subscriptions', {}, 'POST', {
      changeType: 'updated,deleted',
      notificationUrl: `http://127.0.0.1:${port}/notify?tenant=t1`,
      resource: 'users',
      expirationDateTime: expiration,
      clientState: 'secret-state',
    });
    expect(created.status).toBe(201);
    const sub = created.json<{ id: string }>();
    const user = h.sim.control.listUsers(1)[0];
    h.sim.control.updateUser(user?.id ?? '', { jobTitle: 'Notified' });
    for (let i = 0; i < 50 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toHaveLength(1);
    expect(received[0]?.url).toContain('tenant=t1');
    expect(JSON.parse(received[0]?.body ?? '{}')).toMatchObject({
      value: [
        {
          subscriptionId: sub.id,
          clientState: 'secret-state',
          changeType: 'updated',
          resourceData: { id: user?.id },
        },
      ],
    });

    h.sim.control.setNotificationDelivery('off');
    h.sim.control.updateUser(user?.id ?? '', { jobTitle: 'Not notified' });
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toHaveLength(1);
    expect(h.sim.control.notificationStats()).toMatchObject({ delivered: 1, dropped: 1 });
    h.sim.control.setNotificationDelivery('on');
  });

  test('a notification URL that fails validation is refused', async () => {
    const res = await graph('/subscriptions', {}, 'POST', {
      changeType: 'updated',
      notificationUrl: 'http://127.0.0.1:9/nothing-listens-here',
      resource: 'groups',
      expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: { message: expect.stringContaining('validation') } });
  });
});

describe('generator and control API', () => {
  test('a 10,000-user tenant is generated deterministically, with messy data (speed: bench/graph-read.ts)', async () => {
    h.sim.control.generateTenant({ users: 10_000, seed: 99 });
    const ids = h.sim.control.listUsers(5).map((u) => u.id);
    const second = h.sim.control.generateTenant({ users: 10_000, seed: 99 });
    expect(h.sim.control.listUsers(5).map((u) => u.id)).toEqual(ids);
    expect(second.liveUsers).toBe(10_000);

    const users = h.sim.control.listUsers();
    const mails = users.map((u) => u.mail).filter((m): m is string => m !== null);
    expect(users.some((u) => /[\u0590-\u06ff]/.test(u.displayName))).toBe(true); // RTL
    expect(users.some((u) => /[\u3040-\u9fff]/.test(u.displayName))).toBe(true); // CJK
    expect(users.some((u) => u.mail === null)).toBe(true);
    expect(new Set(mails).size).toBeLessThan(mails.length); // duplicate emails
    expect(users.some((u) => (u.jobTitle?.length ?? 0) > 100)).toBe(true);
    expect(users.some((u) => u.userType === 'Guest' && u.userPrincipalName.includes('#EXT#'))).toBe(true);
    expect(users.some((u) => !u.accountEnabled)).toBe(true);
    const groups = h.sim.control.listGroups();
    const groupIds = new Set(groups.map((g) => g.id));
    expect(groups.some((g) => g.members.some((m) => groupIds.has(m)))).toBe(true); // nesting
    const reception = users.find((u) => u.displayName === 'Reception');
    expect(h.sim.control.contactFolders(reception?.id ?? '')).toHaveLength(2);
  });

  test('the HTTPS control API is the same implementation; tenants save and load', async () => {
    h.sim.control.generateTenant({ users: 40, seed: 1 });
    const created = await rawRequest(h.sim, 'POST', '/_sim/createUser', {
      body: JSON.stringify([
        { userPrincipalName: 'via.http@contoso.onmicrosoft.com', displayName: 'Via HTTP' },
      ]),
    });
    const user = created.json<{ result: { id: string } }>().result;
    expect(h.sim.control.getUser(user.id)?.displayName).toBe('Via HTTP');
    const file = join(h.sim.caCertPath, '..', 'tenant.json');
    h.sim.control.saveTenant(file);
    h.sim.control.reset();
    expect(h.sim.control.stats().users).toBe(0);
    expect(h.sim.control.loadTenant(file).liveUsers).toBe(41);
    expect((await rawRequest(h.sim, 'POST', '/_sim/notAMethod')).status).toBe(404);
  });
});
