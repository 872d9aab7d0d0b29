import { userStateQuery, userWorkflowId } from '../contracts/index.js';
import { emailOf } from '../harness/expected-directory.js';
import type { SyncWorld } from './support/sync-world.js';
import { api } from './support/yeastar-harness.js';
import { worldPerTest } from './support/world-per-test.js';

/**
 * Offboarding is a security control: a leaver must lose access at once, not after the grace period. The
 * simulator stands in for what happens outside the Open API: a SIP phone registering with its password, a
 * user signing in to the web portal or Linkus with theirs.
 */
const OLD_SIP = 'OldSipPassword-1234';
const OLD_USER = 'Oldpass2x9Q';

const worlds = worldPerTest();

async function syncedWorld(pbxVariantFields: boolean, welcomeEmailOnReturn = false) {
  const world = await worlds.start({
    users: 10,
    seed: 31,
    pbxVariantFields,
    policy: { offboarding: { maxCount: 5, maxPercent: 50, welcomeEmailOnReturn } },
  });
  await world.runFullSync();
  return world;
}

/** What the user's entity says disabling cut (`user show` prints it). */
const accessCut = (world: SyncWorld, objectId: string) =>
  world.withWorker(
    async () =>
      (
        await worlds.env.client.workflow
          .getHandle(userWorkflowId(world.tenantId, objectId))
          .query(userStateQuery)
      ).accessCut,
  );

/** A user with an extension, whose phone and login use passwords an admin set and handed out. */
async function userWithKnownPasswords(world: SyncWorld) {
  const pbx = world.world.pbx;
  const byEmail = new Map(pbx.control.state().extensions.map((e) => [e.email_addr, e]));
  const user = world.world.graph.control.listUsers().find((u) => byEmail.get(emailOf(u))?.enabled)!;
  const extension = byEmail.get(emailOf(user))!;
  const { access_token: token } = (await api(pbx.url, 'get_token', {
    body: { username: pbx.clientId, password: pbx.clientSecret },
  })) as unknown as { access_token: string };
  const set = await api(pbx.url, 'extension/update', {
    token,
    body: { id: extension.id, reg_password: OLD_SIP, user_password: OLD_USER },
  });
  expect(set.errcode).toBe(0);
  await api(pbx.url, 'del_token', { token });
  expect(pbx.control.sipRegister(extension.number, OLD_SIP)).toEqual({ ok: true });
  expect(pbx.control.userLogin(extension.number, OLD_USER)).toEqual({ ok: true });
  return { user, extension };
}

test('on a PBX with only the documented fields, a disabled user can no longer register a phone or log in', async () => {
  const world = await syncedWorld(false);
  const { user, extension } = await userWithKnownPasswords(world);
  const pbx = world.world.pbx.control;

  world.world.graph.control.disableUser(user.id);
  await world.runFullSync();
  expect(pbx.sipRegister(extension.number, OLD_SIP)).toMatchObject({ ok: false, reason: 'wrong-password' });
  expect(pbx.userLogin(extension.number, OLD_USER)).toMatchObject({ ok: false, reason: 'wrong-password' });
  expect(pbx.userLogin(extension.number, OLD_USER, 'linkus')).toMatchObject({ ok: false });
  expect(await accessCut(world, user.id)).toEqual(['SIP and user passwords replaced']);
}, 120_000);

test('back within the grace period, the same extension works again with new passwords and, by policy, a welcome email', async () => {
  const world = await syncedWorld(false, true);
  const { user, extension } = await userWithKnownPasswords(world);
  const pbx = world.world.pbx.control;
  const welcomes = () => pbx.state().welcomeEmails.filter((w) => w.number === extension.number).length;
  expect(welcomes()).toBe(1);

  world.world.graph.control.disableUser(user.id);
  await world.runFullSync();
  world.world.graph.control.updateUser(user.id, { accountEnabled: true });
  await world.runFullSync();

  const back = pbx.state().extensions.find((e) => e.number === extension.number);
  expect(back).toMatchObject({ id: extension.id, email_addr: extension.email_addr });
  // The cut passwords stay cut; the user gets in with the new ones from the welcome email (or SSO).
  expect(pbx.sipRegister(extension.number, OLD_SIP)).toMatchObject({ ok: false, reason: 'wrong-password' });
  expect(welcomes()).toBe(2);
}, 120_000);

test('where the PBX has the fields, a disabled user is also disabled and loses Linkus; a return restores both', async () => {
  const world = await syncedWorld(true);
  const { user, extension } = await userWithKnownPasswords(world);
  const pbx = world.world.pbx.control;
  const current = () => pbx.state().extensions.find((e) => e.id === extension.id)!;

  world.world.graph.control.disableUser(user.id);
  await world.runFullSync();
  expect(current()).toMatchObject({ enabled: false, linkus_enabled: false });
  expect(pbx.sipRegister(extension.number, OLD_SIP)).toMatchObject({ ok: false });
  expect(await accessCut(world, user.id)).toEqual([
    'SIP and user passwords replaced',
    'extension disabled',
    'Linkus off',
  ]);

  world.world.graph.control.updateUser(user.id, { accountEnabled: true });
  await world.runFullSync();
  expect(current()).toMatchObject({ enabled: true, linkus_enabled: true });
  // No second welcome email: the policy does not ask for one (Microsoft sign-in needs no password).
  expect(pbx.state().welcomeEmails.filter((w) => w.number === extension.number)).toHaveLength(1);
}, 120_000);
