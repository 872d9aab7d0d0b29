import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { DELTA_LATEST, pages, type GroupDelta, type UserDelta } from '../activities/graph/index.js';
import { createClientCertificate } from '../simulators/graph/index.js';
import { GraphFailure } from '../contracts/index.js';
import { startHarness, type SimHarness } from './support/graph-sim.js';
import { failureOf } from './support/until.js';

let h: SimHarness;

beforeAll(async () => {
  h = await startHarness({ users: 2500, seed: 11 });
});

afterAll(async () => {
  await h?.stop();
});

afterEach(() => {
  h.sim.control.clearFaults();
});

async function fullRound<C>(
  read: (cursor?: string) => Promise<{ changes: C[]; nextCursor?: string; deltaLink?: string }>,
  cursor?: string,
) {
  const changes: C[] = [];
  let pages = 0;
  let page = await read(cursor);
  for (;;) {
    pages++;
    changes.push(...page.changes);
    if (!page.nextCursor) break;
    page = await read(page.nextCursor);
  }
  if (!page.deltaLink) throw new Error('round ended without a deltaLink');
  return { changes, pages, deltaLink: page.deltaLink };
}

test('ClientSecretCredential + Graph client page through all users (≥3 pages of $top=999)', async () => {
  const source = h.source();
  h.sim.control.resetCounters();
  const ids = new Set<string>();
  let pageCount = 0;
  for await (const page of pages((cursor) => source.readUsersPage(cursor ? { cursor } : {}))) {
    pageCount++;
    for (const u of page) ids.add(u.id);
  }
  expect(pageCount).toBe(3);
  expect(ids.size).toBe(h.sim.control.stats().liveUsers);
  const counters = h.sim.control.counters();
  expect(counters.byEndpoint['GET /users']).toBe(3);
  expect(counters.byEndpoint['POST /{tenant}/oauth2/v2.0/token'] ?? 0).toBeLessThanOrEqual(1);
});

test('readUsersPage resumes from an opaque cursor and maps the Entra user shape', async () => {
  const source = h.source();
  const first = await source.readUsersPage();
  expect(first.items).toHaveLength(999);
  expect(first.nextCursor).toMatch(/^https:\/\/localhost:\d+\/v1\.0\/users\?/);
  const second = await source.readUsersPage({ cursor: first.nextCursor as string });
  expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
  const sample = first.items.find((u) => u.extensionAttributes?.['extensionAttribute1']);
  expect(sample).toMatchObject({
    accountEnabled: expect.any(Boolean),
    userType: expect.stringMatching(/Member|Guest/),
  });
  expect(Array.isArray(sample?.businessPhones)).toBe(true);
});

test('ClientCertificateCredential (PEM file) authenticates with a registered certificate', async () => {
  const cert = createClientCertificate('entra-pbx-sync test');
  const app = h.sim.control.registerApp({ certificatePem: cert.certificatePem, roles: ['User.Read.All'] });
  const pemPath = join(h.sim.caCertPath, '..', 'client-cert.pem');
  writeFileSync(pemPath, cert.privateKeyPem + cert.certificatePem);
  const source = h.source({
    clientId: app.clientId,
    auth: { kind: 'certificate', certificatePath: pemPath },
  });
  const user = await source.getUser(h.sim.control.listUsers(1)[0]?.id ?? '');
  expect(user.userPrincipalName).toContain('@');

  // A certificate the app does not have registered is refused.
  const other = createClientCertificate('not registered');
  const stranger = h.source({
    clientId: app.clientId,
    auth: { kind: 'certificate', certificatePem: other.privateKeyPem + other.certificatePem },
  });
  const err = await failureOf(() => stranger.readUsersPage());
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect(err['type']).toBe(GraphFailure.AuthenticationFailed);
});

test('a delta round reports update, soft delete, hard delete and membership add/remove', async () => {
  const { control } = h.sim;
  const source = h.source();
  const users = await fullRound((c) => source.deltaPage('users', c));
  expect(users.changes).toHaveLength(control.stats().liveUsers);
  const groups = await fullRound((c) => source.deltaPage('groups', c));

  const [a, b, c, d] = control.listUsers(4);
  if (!a || !b || !c || !d) throw new Error('tenant too small');
  const group = control.createGroup({ displayName: 'Delta test group' });
  control.addMember(group.id, d.id);
  const groupsAfterCreate = await fullRound((cur) => source.deltaPage('groups', cur), groups.deltaLink);

  control.updateUser(a.id, { jobTitle: 'Chief Delta Officer' });
  control.softDeleteUser(b.id);
  control.hardDeleteUser(c.id);
  control.addMember(group.id, a.id);
  control.removeMember(group.id, d.id);

  const userRound = await fullRound((cur) => source.deltaPage('users', cur), users.deltaLink);
  const byId = new Map(
    userRound.changes.map((ch: UserDelta) => [ch.kind === 'upsert' ? ch.user.id : ch.id, ch]),
  );
  expect(byId.get(a.id)).toMatchObject({ kind: 'upsert', user: { jobTitle: 'Chief Delta Officer' } });
  expect(byId.get(b.id)).toEqual({ kind: 'removed', id: b.id, reason: 'changed' });
  expect(byId.get(c.id)).toEqual({ kind: 'removed', id: c.id, reason: 'deleted' });
  expect(byId.size).toBe(3);

  const groupRound = await fullRound((cur) => source.deltaPage('groups', cur), groupsAfterCreate.deltaLink);
  const merged = groupRound.changes.filter((g: GroupDelta) => g.kind === 'upsert' && g.group.id === group.id);
  const added = merged.flatMap((g) => (g.kind === 'upsert' ? (g.members?.added ?? []) : []));
  const removed = merged.flatMap((g) => (g.kind === 'upsert' ? (g.members?.removed ?? []) : []));
  expect(added).toEqual([{ id: a.id, type: 'user' }]);
  expect(removed).toEqual([d.id]);
});

test('members@delta of a large group is split across pages and merges back', async () => {
  const { control } = h.sim;
  const source = h.source();
  control.configure({ deltaPageSize: 50, memberSliceSize: 40 });
  try {
    const group = control.createGroup({ displayName: 'Big group' });
    const members = control.listUsers(130).map((u) => u.id);
    for (const id of members) control.addMember(group.id, id);
    const round = await fullRound((c) => source.deltaPage('groups', c));
    const slices = round.changes.filter((g) => g.kind === 'upsert' && g.group.id === group.id);
    expect(slices.length).toBeGreaterThanOrEqual(4);
    const ids = slices.flatMap((g) => (g.kind === 'upsert' ? (g.members?.added.map((m) => m.id) ?? []) : []));
    expect(new Set(ids)).toEqual(new Set(members));
    expect(round.pages).toBeGreaterThan(3);
  } finally {
    control.configure({ deltaPageSize: 200, memberSliceSize: 100 });
  }
});

test('$deltatoken=latest returns no data, then only later changes', async () => {
  const source = h.source();
  const start = await source.deltaPage('users', DELTA_LATEST);
  expect(start.changes).toEqual([]);
  expect(start.deltaLink).toBeDefined();
  const user = h.sim.control.listUsers(10)[9];
  h.sim.control.updateUser(user?.id ?? '', { department: 'Latest' });
  const next = await fullRound((c) => source.deltaPage('users', c), start.deltaLink);
  expect(next.changes).toEqual([
    expect.objectContaining({
      kind: 'upsert',
      user: expect.objectContaining({ id: user?.id, department: 'Latest' }),
    }),
  ]);
});

test('an expired delta token and a 410 reset both surface as non-retryable DeltaTokenExpired', async () => {
  const source = h.source();
  const start = await source.deltaPage('users', DELTA_LATEST);
  h.sim.control.expireDeltaTokens();
  const expired = await failureOf(() => source.deltaPage('users', start.deltaLink));
  expect(expired).toMatchObject({ type: GraphFailure.DeltaTokenExpired, nonRetryable: true });
  expect(expired.message).toContain('syncStateNotFound');

  const fresh = await source.deltaPage('users', DELTA_LATEST);
  h.sim.control.setFaults({ deltaResets: 1 });
  const reset = await failureOf(() => source.deltaPage('users', fresh.deltaLink));
  expect(reset).toMatchObject({ type: GraphFailure.DeltaTokenExpired, nonRetryable: true });
  expect((reset as unknown as ApplicationFailure).details?.[0]).toMatchObject({
    status: 410,
    location: expect.stringContaining('/v1.0/users/delta'),
  });

  h.sim.control.configure({ deltaTokenTtlMs: 1 });
  try {
    const ttl = await source.deltaPage('users', DELTA_LATEST);
    await new Promise((r) => setTimeout(r, 5));
    expect(await failureOf(() => source.deltaPage('users', ttl.deltaLink))).toMatchObject({
      type: GraphFailure.DeltaTokenExpired,
    });
  } finally {
    h.sim.control.configure({ deltaTokenTtlMs: 7 * 24 * 3600 * 1000 });
  }
});

test('429 becomes a retryable failure carrying the server Retry-After as nextRetryDelay; 503 is retryable', async () => {
  const source = h.source();
  h.sim.control.setFaults({
    rules: [{ match: 'GET /users', status: 429, retryAfterSeconds: 2.5, times: 1 }],
  });
  const throttled = (await failureOf(() => source.readUsersPage())) as unknown as ApplicationFailure;
  expect(throttled.type).toBe(GraphFailure.Throttled);
  expect(throttled.nonRetryable).toBe(false);
  expect(throttled.nextRetryDelay).toBe(2500);
  // The SDK did not retry on its own: exactly one failing request, the next one succeeds.
  expect((await source.readUsersPage()).items).toHaveLength(999);

  h.sim.control.setFaults({ rules: [{ status: 503, times: 1 }] });
  expect(await failureOf(() => source.presence.getPresences(['x']))).toMatchObject({
    type: GraphFailure.Unavailable,
    nonRetryable: false,
  });
});

test('a missing application permission is a non-retryable failure naming the permission', async () => {
  const app = h.sim.control.registerApp({ clientSecret: 'users-only-secret', roles: ['User.Read.All'] });
  const source = h.source({
    clientId: app.clientId,
    auth: { kind: 'secret', clientSecret: 'users-only-secret' },
  });
  const err = await failureOf(() => source.readGroupsPage());
  expect(err).toMatchObject({ type: GraphFailure.PermissionDenied, nonRetryable: true });
  expect(err.message).toContain('GroupMember.Read.All');
  expect(await failureOf(() => source.presence.getPresences(['x']))).toMatchObject({
    message: expect.stringContaining('Presence.Read.All'),
  });
});

test('subscribing to groups needs Group.Read.All: reading members is not enough, and the failure says so', async () => {
  const app = h.sim.control.registerApp({
    clientSecret: 'members-only-secret',
    roles: ['User.Read.All', 'GroupMember.Read.All'],
  });
  const source = h.source({
    clientId: app.clientId,
    auth: { kind: 'secret', clientSecret: 'members-only-secret' },
  });
  expect((await source.readGroupsPage()).items.length).toBeGreaterThan(0);
  const err = await failureOf(() =>
    source.createSubscription({
      resource: 'groups',
      notificationUrl: 'https://127.0.0.1:9/notifications',
      clientState: 'state',
      expirationDateTime: new Date(Date.now() + 3_600_000).toISOString(),
    }),
  );
  expect(err).toMatchObject({ type: GraphFailure.PermissionDenied, nonRetryable: true });
  expect(err.message).toContain('Group.Read.All');
});

test('a wrong client secret fails with invalid_client and never leaks the secret', async () => {
  const secret = 'this-is-the-wrong-secret-Q~123';
  const source = h.source({ auth: { kind: 'secret', clientSecret: secret } });
  const err = await failureOf(() => source.readUsersPage());
  expect(err).toMatchObject({ type: GraphFailure.AuthenticationFailed, nonRetryable: true });
  expect(err.message).toContain('AADSTS7000215');
  expect(
    JSON.stringify({ message: err.message, details: (err as unknown as ApplicationFailure).details }),
  ).not.toContain(secret);
});

test('a bad $filter is a non-retryable GraphBadRequest with Graph’s message; advanced filters work', async () => {
  const source = h.source();
  const err = await failureOf(() => source.readUsersPage({ filter: "endsWith(mail,'@contoso.example')" }));
  expect(err).toMatchObject({ type: GraphFailure.BadRequest, nonRetryable: true });
  expect(err.message).toContain('Unsupported Query');
  const ok = await source.readUsersPage({ filter: "endsWith(mail,'@contoso.example')", advanced: true });
  expect(ok.items.length).toBeGreaterThan(0);
  expect(ok.items.every((u) => u.mail?.endsWith('@contoso.example'))).toBe(true);
  const guests = await source.readUsersPage({ filter: "userType eq 'Guest'" });
  expect(guests.items.length).toBeGreaterThan(0);
  expect(guests.items.every((u) => u.userType === 'Guest')).toBe(true);
});

test('groups, direct and transitive members', async () => {
  const source = h.source();
  const groups: string[] = [];
  for await (const page of pages((cursor) => source.readGroupsPage(cursor ? { cursor } : {})))
    groups.push(...page.map((g) => g.displayName));
  expect(groups).toContain('All Staff');
  const allStaff = (await source.readGroupsPage({ filter: "displayName eq 'All Staff'" })).items[0];
  const direct = (await source.readGroupMembersPage(allStaff?.id ?? '')).items;
  expect(direct.every((m) => m.type === 'group')).toBe(true);
  const transitive: string[] = [];
  for await (const page of pages((cursor) =>
    source.readGroupMembersPage(allStaff?.id ?? '', { transitive: true, ...(cursor ? { cursor } : {}) }),
  )) {
    transitive.push(...page.filter((m) => m.type === 'user').map((m) => m.id));
  }
  expect(transitive.length).toBeGreaterThan(1000);
});

test('shared-mailbox contacts: folders, per-folder delta, changes in the next round', async () => {
  const source = h.source();
  const { control } = h.sim;
  const mailbox = control.listUsers().find((u) => u.displayName === 'Reception');
  if (!mailbox) throw new Error('no shared mailbox generated');
  const folders = await source.contacts.listContactFolders(mailbox.id);
  expect(folders.map((f) => f.displayName)).toEqual(['Contacts', 'Suppliers']);
  const folder = folders[0]?.id ?? '';
  const initial = await fullRound((c) => source.contacts.contactsDeltaPage(mailbox.id, folder, c));
  expect(initial.changes.length).toBeGreaterThan(10);
  const first = initial.changes[0];
  if (first?.kind !== 'upsert') throw new Error('expected contacts');
  const added = control.addContact(
    mailbox.id,
    { displayName: 'New Supplier', businessPhones: ['+1 555 0100'] },
    folder,
  );
  control.updateContact(mailbox.id, first.contact.id, { mobilePhone: '+1 555 0199' });
  const gone = initial.changes[1];
  if (gone?.kind === 'upsert') control.deleteContact(mailbox.id, gone.contact.id);
  const next = await fullRound(
    (c) => source.contacts.contactsDeltaPage(mailbox.id, folder, c),
    initial.deltaLink,
  );
  expect(next.changes).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        kind: 'upsert',
        contact: expect.objectContaining({ id: added.id, displayName: 'New Supplier' }),
      }),
      expect.objectContaining({
        kind: 'upsert',
        contact: expect.objectContaining({ mobilePhone: '+1 555 0199' }),
      }),
      { kind: 'removed', id: gone?.kind === 'upsert' ? gone.contact.id : '' },
    ]),
  );
  expect(next.changes).toHaveLength(3);
});

test('presence for up to 650 users in one call; more is refused before any request', async () => {
  const source = h.source();
  const ids = h.sim.control.listUsers(650).map((u) => u.id);
  h.sim.control.setPresence(ids[0] ?? '', { availability: 'Busy', activity: 'InACall' });
  const presences = await source.presence.getPresences(ids);
  expect(presences).toHaveLength(650);
  expect(presences[0]).toEqual({ id: ids[0], availability: 'Busy', activity: 'InACall' });
  expect(await failureOf(() => source.presence.getPresences([...ids, 'one-more']))).toMatchObject({
    type: GraphFailure.BadRequest,
  });
});
