import { got } from 'got';
import { startHarness, type SimHarness } from './support/yeastar-harness.js';
import { startTestIdp, type TestIdp } from './support/yeastar-idp.js';

/** Linkus "Sign in with Microsoft": the PBX runs the OIDC code flow against an HTTPS IdP with its own CA. */
let h: SimHarness;
let idp: TestIdp;

async function linkusLogin(loginHint: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const http = got.extend({ followRedirect: false, throwHttpErrors: false, retry: { limit: 0 } });
  const start = await http(`${h.sim.url}/linkus/sso/login`, { searchParams: { login_hint: loginHint } });
  if (start.statusCode !== 302) return { status: start.statusCode, body: JSON.parse(start.body) };
  const authorize = await http(start.headers.location as string, {
    https: { certificateAuthority: idp.caPem },
  });
  expect(authorize.statusCode).toBe(302);
  const callback = await http(authorize.headers.location as string);
  return { status: callback.statusCode, body: JSON.parse(callback.body) };
}

beforeAll(async () => {
  idp = await startTestIdp();
  h = await startHarness();
  for (const [upn, email] of [
    ['alice@contoso.com', 'alice@contoso.com'],
    ['bob@contoso.com', 'bob@contoso.com'],
    ['carol@contoso.com', 'carol@contoso.com'],
    ['dave@contoso.com', 'dave.mail@contoso.com'],
    ['eve@contoso.com', 'eve@contoso.com'],
  ] as const) {
    idp.addUser({ upn, email, name: upn });
  }
  const dir = h.directory();
  const alice = await dir.createExtension({ number: '2001', firstName: 'Alice', email: 'alice@contoso.com' });
  const bob = await dir.createExtension({ number: '2002', firstName: 'Bob', email: 'bob@contoso.com' });
  const carol = await dir.createExtension({ number: '2003', firstName: 'Carol', email: 'carol@contoso.com' });
  await dir.createExtension({ number: '2004', firstName: 'Dave', email: 'dave@contoso.com' });
  await dir.setExtensionEnabled(bob.id, false);
  await dir.setLinkusAccess(carol.id, { enabled: false });
  expect(alice.created).toBe(true);
});

afterAll(async () => {
  await h?.stop();
  await idp?.stop();
});

test('refuses while Microsoft sign-in is not configured on the PBX', async () => {
  const res = await linkusLogin('alice@contoso.com');
  expect(res.status).toBe(403);
  expect(res.body.reason).toMatch(/not enabled/);
});

describe('with the PBX SSO setting pointing at the IdP', () => {
  beforeAll(() => {
    h.sim.control.configureSso({
      enabled: true,
      tenantId: idp.tenantId,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      authorityUrl: idp.url,
      caPem: idp.caPem,
    });
  });

  test('admits an enabled extension whose email matches the id_token', async () => {
    const res = await linkusLogin('alice@contoso.com');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      errcode: 0,
      ok: true,
      extension: '2001',
      identity: 'alice@contoso.com',
    });
  });

  test('matches on the UPN claim when the mail differs', async () => {
    const res = await linkusLogin('dave@contoso.com');
    expect(res.body).toMatchObject({ ok: true, extension: '2004' });
  });

  test('refuses a disabled extension', async () => {
    const res = await linkusLogin('bob@contoso.com');
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ errcode: 10005, ok: false, reason: 'extension 2002 is disabled' });
  });

  test('refuses an extension with Linkus turned off', async () => {
    const res = await linkusLogin('carol@contoso.com');
    expect(res.body).toMatchObject({ ok: false, reason: 'Linkus is disabled for extension 2003' });
  });

  test('refuses a user with no matching extension', async () => {
    const res = await linkusLogin('eve@contoso.com');
    expect(res.body).toMatchObject({ ok: false, reason: 'no extension has SSO identity eve@contoso.com' });
  });

  test('refuses when the IdP denies the sign-in', async () => {
    const res = await linkusLogin('mallory@contoso.com');
    expect(res.body).toMatchObject({ ok: false, reason: 'IdP refused: access_denied' });
  });

  test('refuses when the PBX holds the wrong client secret', async () => {
    const sso = { tenantId: idp.tenantId, clientId: idp.clientId, authorityUrl: idp.url, caPem: idp.caPem };
    h.sim.control.configureSso({ ...sso, enabled: true, clientSecret: 'wrong' });
    try {
      const res = await linkusLogin('alice@contoso.com');
      expect(res.status).toBe(403);
      expect(res.body.reason).toMatch(/invalid_client/);
    } finally {
      h.sim.control.configureSso({ ...sso, enabled: true, clientSecret: idp.clientSecret });
    }
  });

  test('the status page lists the logins', async () => {
    const html = await got(`${h.sim.url}/`).text();
    expect(html).toContain('admitted');
    expect(html).toContain('refused: extension 2002 is disabled');
  });
});
