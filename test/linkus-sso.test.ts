import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { got } from 'got';
import type { SimUser } from '../simulators/graph/index.js';
import { emailOf, expectedSyncedUsers } from '../harness/expected-directory.js';
import { startSyncWorld, type SyncWorld, type SyncWorldOptions } from './support/sync-world.js';
import { bundleWorkflows, connectTestEnv } from './support/temporal.js';
import { startTestIdp, type TestIdp } from './support/yeastar-idp.js';

/**
 * "Sign in with Microsoft" to Linkus on extensions the sync created: the PBX runs the OIDC code flow against
 * an HTTPS IdP that knows every Entra user, and admits an enabled, Linkus-enabled extension whose SSO identity
 * matches the id_token.
 */
let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let sync: SyncWorld | undefined;
let idp: TestIdp | undefined;

beforeAll(async () => {
  env = await connectTestEnv();
  bundle = await bundleWorkflows();
});

afterEach(async () => {
  if (sync) await sync.stop();
  await idp?.stop();
  sync = undefined;
  idp = undefined;
});

afterAll(async () => {
  await env?.teardown();
});

/** PBX variant fields: the simulator's settings and the worker's environment, kept in step. */
interface PbxVariant {
  /** Extension field the SSO identity lives in (the simulator's default: the extension's email). */
  ssoIdentityField?: string;
  /** False: the PBX has no field to disable an extension. */
  extensionEnabledField?: boolean;
}

async function startSsoWorld(variant: PbxVariant, options: Partial<SyncWorldOptions> = {}) {
  idp = await startTestIdp();
  const workerEnv: Record<string, string> = {
    ...(variant.ssoIdentityField ? { PBX_SSO_IDENTITY_FIELD: variant.ssoIdentityField } : {}),
    ...(variant.extensionEnabledField === false ? { PBX_EXTENSION_ENABLED_FIELD: '' } : {}),
  };
  sync = await startSyncWorld(env, bundle, { users: 12, seed: 3, ...options, workerEnv });
  const pbx = sync.world.pbx.control;
  if (variant.ssoIdentityField) pbx.configure({ ssoIdentityField: variant.ssoIdentityField });
  if (variant.extensionEnabledField === false) pbx.configure({ extensionEnabledField: null });
  pbx.configureSso({
    enabled: true,
    tenantId: idp.tenantId,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    authorityUrl: idp.url,
    caPem: idp.caPem,
  });
  // The IdP is Entra: it signs in every user of the directory, with their mail (else UPN) as email claim.
  for (const user of sync.world.graph.control.listUsers())
    idp.addUser({
      upn: user.userPrincipalName,
      email: user.mail ?? user.userPrincipalName,
      name: user.displayName,
    });
  return sync;
}

/** Linkus' Microsoft sign-in as the app drives it: PBX login → IdP authorize (login_hint) → PBX callback. */
async function linkusLogin(loginHint: string): Promise<Record<string, unknown>> {
  const http = got.extend({ followRedirect: false, throwHttpErrors: false, retry: { limit: 0 } });
  const start = await http(`${sync!.world.pbx.url}/linkus/sso/login`, {
    searchParams: { login_hint: loginHint },
  });
  if (start.statusCode !== 302) return JSON.parse(start.body) as Record<string, unknown>;
  const authorize = await http(start.headers.location!, { https: { certificateAuthority: idp!.caPem } });
  expect(authorize.statusCode).toBe(302);
  const callback = await http(authorize.headers.location!);
  return JSON.parse(callback.body) as Record<string, unknown>;
}

const extensionOf = (user: SimUser) =>
  sync!.world.pbx.control.state().extensions.find((e) => e.email_addr.toLowerCase() === emailOf(user));

/** A user the sync gives an extension, whose UPN differs from their mail (so the identity field tells which). */
const syncedUser = (): SimUser =>
  expectedSyncedUsers(sync!.world.graph.control.listUsers()).find(
    (u) => u.userType === 'Member' && u.mail && u.mail.toLowerCase() !== u.userPrincipalName.toLowerCase(),
  )!;

test.each([
  ['a separate SSO identity field', { ssoIdentityField: 'sso_identity' }],
  ["the extension's email as SSO identity (the PBX default)", {}],
] as const)(
  'after a full sync a synced user signs in to Linkus with Microsoft; Linkus is on and the SSO identity is their email (%s)',
  async (_variant, variant: PbxVariant) => {
    const tenant = await startSsoWorld(variant);
    const user = syncedUser();
    expect(await linkusLogin(user.userPrincipalName)).toMatchObject({ ok: false });

    await tenant.runFullSync();

    const field = variant.ssoIdentityField ?? 'email_addr';
    const extension = extensionOf(user)!;
    expect(extension).toMatchObject({ enabled: true, linkus_enabled: true });
    expect((extension as unknown as Record<string, unknown>)[field]).toBe(emailOf(user));
    expect(await linkusLogin(user.userPrincipalName)).toMatchObject({
      errcode: 0,
      ok: true,
      extension: extension.number,
      identity: user.mail,
    });
    // Every extension the sync made has Linkus on and the default mapping's SSO identity: the email.
    const all = tenant.world.pbx.control.state().extensions;
    expect(all.length).toBe(expectedSyncedUsers(tenant.world.graph.control.listUsers()).length);
    for (const e of all) {
      expect(e.linkus_enabled).toBe(true);
      expect((e as unknown as Record<string, unknown>)[field]).toBe(e.email_addr.toLowerCase());
    }
  },
);

test.each([
  ['the PBX disables the extension', {}, /^extension \d+ is disabled$/],
  [
    'a PBX without a disable field: Linkus is withdrawn',
    { extensionEnabledField: false },
    /^Linkus is disabled for extension \d+$/,
  ],
] as const)(
  'a user the sync offboarded cannot sign in to Linkus any more; others still can (%s)',
  async (_variant, variant: PbxVariant, refusal: RegExp) => {
    const tenant = await startSsoWorld(variant, {
      policy: { offboarding: { maxCount: 100, maxPercent: 100 } },
    });
    await tenant.runFullSync();
    const [leaver, stayer] = expectedSyncedUsers(tenant.world.graph.control.listUsers()).filter(
      (u) => u.userType === 'Member',
    );
    expect(await linkusLogin(leaver!.userPrincipalName)).toMatchObject({ ok: true });

    tenant.world.graph.control.disableUser(leaver!.id);
    const offboarding = await tenant.runFullSync();

    expect(offboarding.plan!.counts.disables).toBe(1);
    expect(offboarding.decision).toBeUndefined(); // within the guard: no approval needed
    const extension = extensionOf(leaver!)!;
    expect(extension).toBeDefined();
    expect(extension.enabled && extension.linkus_enabled).toBe(false);
    const refused = await linkusLogin(leaver!.userPrincipalName);
    expect(refused).toMatchObject({ ok: false, errcode: 10005, extension: extension.number });
    expect(refused.reason).toMatch(refusal);
    expect(await linkusLogin(stayer!.userPrincipalName)).toMatchObject({ ok: true });
  },
);
