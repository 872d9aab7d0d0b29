import type { ApplicationFailure } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PbxDirectory, PbxExtensionInput } from '../activities/pbx/index.js';
import { PbxFailure } from '../contracts/index.js';
import { failureOf } from './support/until.js';
import { startHarness, type SimHarness } from './support/yeastar-harness.js';

/** The Yeastar adapter driven against the simulator over real HTTP. */

const person = (n: number, extra: Partial<PbxExtensionInput> = {}): PbxExtensionInput => ({
  number: String(n),
  firstName: `User${n}`,
  lastName: 'Test',
  email: `user${n}@contoso.com`,
  ...extra,
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('tokens', () => {
  let h: SimHarness;
  afterEach(() => h.stop());

  test('a busy worker (200 concurrent calls) fetches one token and stays far below the 8-token cap', async () => {
    h = await startHarness({ latencyMs: 5 });
    const dir = h.directory({ maxConcurrentRequests: 16 });
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => dir.findExtensionByNumber(String(9000 + i))),
    );
    expect(results.every((r) => r === undefined)).toBe(true);
    expect(h.sim.control.counters().get_token).toBe(1);
    expect(h.sim.control.validTokenCount()).toBe(1);
    expect(dir.tokenRequests).toBe(1);
  });

  test('access tokens expiring mid-run are refreshed and a server-side expiry is recovered once', async () => {
    h = await startHarness({ accessTokenTtlSec: 1, refreshTokenTtlSec: 2 });
    const dir = h.directory();
    for (let i = 0; i < 6; i++) {
      await dir.createExtension(person(3000 + i));
      await sleep(400);
    }
    h.sim.control.expireAccessTokens();
    await expect(dir.getExtension('1')).resolves.toMatchObject({ number: '3000' });
    const c = h.sim.control.counters();
    expect((c.get_token ?? 0) + (c.refresh_token ?? 0)).toBeGreaterThanOrEqual(3);
    expect(h.sim.control.state().extensions).toHaveLength(6);
    expect(h.sim.control.validTokenCount()).toBeLessThanOrEqual(2);
  });

  test('close() revokes the token', async () => {
    h = await startHarness();
    const dir = h.directory();
    await collect(dir.listExtensions());
    expect(h.sim.control.validTokenCount()).toBe(1);
    await dir.close();
    expect(h.sim.control.validTokenCount()).toBe(0);
  });

  test('wrong credentials are non-retryable, and the IP block after 5 failures is reported', async () => {
    h = await startHarness();
    for (let i = 0; i < 5; i++) {
      // A restarted worker each time: one process logs in once per cool-down (pbx-adapter-login.test.ts).
      const f = await failureOf<ApplicationFailure>(h.directory({ clientSecret: 'wrong' }).getExtension('1'));
      expect(f).toMatchObject({ type: PbxFailure.AuthFailed, nonRetryable: true });
      expect(f.message).not.toContain('wrong');
    }
    const blocked = await failureOf<ApplicationFailure>(h.directory().getExtension('1'));
    expect(blocked).toMatchObject({ type: PbxFailure.AuthFailed, nonRetryable: true });
    expect(blocked.message).toContain('70004');
    h.sim.control.unblockIp('127.0.0.1');
    await expect(h.directory().getExtension('1')).resolves.toBeUndefined();
  });
});

describe('extensions', () => {
  let h: SimHarness;
  let dir: PbxDirectory;
  beforeAll(async () => {
    h = await startHarness();
    dir = h.directory();
  });
  afterAll(() => h.stop());

  test('create, read back through every lookup, update, presence, disable, Linkus', async () => {
    const { id, created } = await dir.createExtension(
      person(1001, { title: 'Engineer', mobile: '+1 555 0100' }),
    );
    expect(created).toBe(true);
    const ext = await dir.getExtension(id);
    expect(ext).toMatchObject({
      number: '1001',
      firstName: 'User1001',
      email: 'user1001@contoso.com',
      title: 'Engineer',
    });
    expect(ext?.organizationIds).toEqual(['1']);
    await expect(dir.findExtensionByNumber('1001')).resolves.toMatchObject({ id });
    await expect(dir.findExtensionByEmail('USER1001@contoso.com')).resolves.toMatchObject({ id });
    await expect(dir.findExtensionByEmail('nobody@contoso.com')).resolves.toBeUndefined();
    await dir.updateExtension(id, { lastName: 'Renamed' });
    await dir.updateExtension(id, { presence: 'business_trip' });
    await dir.setExtensionEnabled(id, false);
    await dir.setLinkusAccess(id, { enabled: false });
    await expect(dir.getExtension(id)).resolves.toMatchObject({
      displayName: 'User1001 Renamed',
      presence: 'business_trip',
      enabled: false,
      linkusEnabled: false,
    });
    const rows = await collect(dir.listExtensions());
    expect(rows.find((r) => r.id === id)).toMatchObject({
      presence: 'business_trip',
      displayName: 'User1001 Renamed',
    });
  });

  test('duplicate email and number are clear, non-retryable errors naming the holder', async () => {
    await dir.createExtension(person(1011, { email: 'taken@contoso.com' }));
    const byEmail = await failureOf<ApplicationFailure>(
      dir.createExtension(person(1012, { email: 'taken@contoso.com' })),
    );
    expect(byEmail).toMatchObject({ type: PbxFailure.Duplicate, nonRetryable: true });
    expect(byEmail.message).toBe(
      'extension 1012 (taken@contoso.com): extension/create failed with 40003 DUPLICATE KEY VALUE: ' +
        'email_addr "taken@contoso.com" is already used by extension 1011',
    );
    const byNumber = await failureOf<ApplicationFailure>(
      dir.createExtension(person(1011, { email: 'other@contoso.com' })),
    );
    expect(byNumber.type).toBe(PbxFailure.Duplicate);
    expect(byNumber.message).toContain('number "1011" is already used by extension 1011');
  });

  test('a create retried after a lost response adopts its own extension instead of making a twin', async () => {
    h.sim.control.injectFault({ endpoint: 'extension/create', kind: 'drop-response' });
    const lost = await failureOf<ApplicationFailure>(dir.createExtension(person(1020)));
    expect(lost).toMatchObject({ type: PbxFailure.Unavailable, nonRetryable: false });
    const retry = await dir.createExtension(person(1020));
    expect(retry.created).toBe(false);
    expect(h.sim.control.state().extensions.filter((e) => e.number === '1020')).toHaveLength(1);
    await expect(dir.getExtension(retry.id)).resolves.toMatchObject({ number: '1020' });
  });

  test('validation errors name the object and field and never echo a password', async () => {
    const f = await failureOf<ApplicationFailure>(
      dir.createExtension(person(1030, { userPassword: 'Abc1234xyz' })),
    );
    expect(f).toMatchObject({ type: PbxFailure.Validation, nonRetryable: true });
    expect(f.message).toBe(
      'extension 1030 (user1030@contoso.com): extension/create failed with 40002 PARAMETER ERROR: user_password is invalid',
    );
    expect(f.details?.[0]).toMatchObject({
      object: 'extension 1030 (user1030@contoso.com)',
      fields: ['user_password'],
    });
    const badMail = await failureOf<ApplicationFailure>(
      dir.createExtension(person(1031, { email: 'not-an-email' })),
    );
    expect(badMail.message).toContain('email_addr ("not-an-email") is invalid');
  });

  test('retryable vs non-retryable PBX faults', async () => {
    const cases = [
      [{ kind: 'errcode', errcode: -2 }, PbxFailure.Unavailable, false],
      [{ kind: 'errcode', errcode: 70082 }, PbxFailure.Busy, false],
      [{ kind: 'http', httpStatus: 503 }, PbxFailure.Unavailable, false],
      [{ kind: 'http', httpStatus: 429 }, PbxFailure.Busy, false],
      [{ kind: 'errcode', errcode: 10005 }, PbxFailure.Forbidden, true],
    ] as const;
    for (const [fault, type, nonRetryable] of cases) {
      h.sim.control.injectFault({ endpoint: 'extension/get', ...fault });
      await expect(failureOf(dir.getExtension('1'))).resolves.toMatchObject({ type, nonRetryable });
    }
  });

  test('delete is idempotent; welcome email is sent', async () => {
    const { id } = await dir.createExtension(person(1040));
    await dir.sendWelcomeEmail([id]);
    expect(h.sim.control.state().welcomeEmails.map((w) => w.number)).toContain('1040');
    await dir.deleteExtension(id);
    await dir.deleteExtension(id);
    await expect(dir.getExtension(id)).resolves.toBeUndefined();
  });

  test('several extensions are read in full with one request', async () => {
    const ids = [];
    for (const n of [1060, 1061, 1062])
      ids.push((await dir.createExtension(person(n, { title: `T${n}` }))).id);
    h.sim.control.resetCounters();
    const records = await dir.getExtensions(ids);
    expect(records.map((r) => [r.number, r.title])).toEqual([
      ['1060', 'T1060'],
      ['1061', 'T1061'],
      ['1062', 'T1062'],
    ]);
    expect(h.sim.control.counters()).toMatchObject({ 'extension/query': 1 });
  });

  test('capacity is a non-retryable failure', async () => {
    h.sim.control.configure({ extensionCapacity: h.sim.control.state().extensions.length });
    try {
      const f = await failureOf<ApplicationFailure>(dir.createExtension(person(1050)));
      expect(f).toMatchObject({ type: PbxFailure.Capacity, nonRetryable: true });
    } finally {
      h.sim.control.configure({ extensionCapacity: 500 });
    }
  });

  test('renumbering is refused up front when the PBX cannot do it', async () => {
    expect(dir.capabilities.renumberExtension).toBe(false);
    const f = await failureOf<ApplicationFailure>(dir.updateExtension('1', { number: '1999' }));
    expect(f).toMatchObject({ type: PbxFailure.Unsupported, nonRetryable: true });
  });
});

describe('organizations, groups, contacts, phonebooks', () => {
  let h: SimHarness;
  let dir: PbxDirectory;
  beforeAll(async () => {
    h = await startHarness();
    dir = h.directory();
  });
  afterAll(() => h.stop());

  test('organizations: idempotent create under a parent, membership via the extension', async () => {
    const sales = await dir.createOrganization({ name: 'Sales' });
    const emea = await dir.createOrganization({ name: 'EMEA', parentId: sales.id });
    await expect(dir.createOrganization({ name: 'EMEA', parentId: sales.id })).resolves.toEqual({
      id: emea.id,
      created: false,
    });
    const { id } = await dir.createExtension(person(4001, { organizationIds: [emea.id] }));
    const orgs = await dir.listOrganizations();
    expect(orgs.find((o) => o.id === emea.id)).toEqual({
      id: emea.id,
      name: 'EMEA',
      parentId: sales.id,
      memberIds: [id],
    });
    await dir.updateExtension(id, { organizationIds: [sales.id] });
    expect((await dir.listOrganizations()).find((o) => o.id === sales.id)?.memberIds).toEqual([id]);
  });

  test('extension groups: idempotent create, members, 63-group cap', async () => {
    const a = await dir.createExtension(person(4101));
    const b = await dir.createExtension(person(4102));
    const g = await dir.createExtensionGroup({ name: 'Support', memberIds: [a.id] });
    await expect(dir.createExtensionGroup({ name: 'Support', memberIds: [a.id] })).resolves.toEqual({
      id: g.id,
      created: false,
    });
    await dir.updateExtensionGroup(g.id, { memberIds: [a.id, b.id] });
    expect((await dir.listExtensionGroups()).find((x) => x.id === g.id)?.memberIds).toEqual([a.id, b.id]);
    await dir.deleteExtension(b.id);
    expect((await dir.listExtensionGroups()).find((x) => x.id === g.id)?.memberIds).toEqual([a.id]);
    for (let i = 1; i < 63; i++) await dir.createExtensionGroup({ name: `G${i}`, memberIds: [] });
    const full = await failureOf<ApplicationFailure>(
      dir.createExtensionGroup({ name: 'G63', memberIds: [] }),
    );
    expect(full).toMatchObject({ type: PbxFailure.Capacity, nonRetryable: true });
    await dir.deleteExtensionGroup(g.id);
    await dir.deleteExtensionGroup(g.id);
  });

  test('contacts and phonebooks: write shape in, read shape out, idempotent by source key, delete unlinks', async () => {
    const books = h.phonebooks();
    const pb = await books.createPhonebook({ name: 'Outlook: Shared' });
    await expect(books.createPhonebook({ name: 'Outlook: Shared' })).resolves.toEqual({
      id: pb.id,
      created: false,
    });
    const input = {
      firstName: 'Jürgen',
      lastName: 'Groß',
      company: 'Fabrikam',
      email: 'jg@fabrikam.com',
      numbers: { business: '+49 30 1234', mobile: '+49 170 555' },
      sourceKey: 'outlook-1',
    };
    const c = await books.createContact({ ...input, phonebookIds: [pb.id] });
    await expect(books.createContact(input)).resolves.toEqual({ id: c.id, created: false });
    const [row] = await collect(books.listContacts());
    expect(row).toEqual({
      id: c.id,
      displayName: 'Jürgen Groß',
      company: 'Fabrikam',
      email: 'jg@fabrikam.com',
      numbers: { business: '+49 30 1234', mobile: '+49 170 555' },
      sourceKey: 'outlook-1',
      phonebookIds: [pb.id],
    });
    await books.updateContact(c.id, { numbers: { home: '030 999' } });
    expect((await collect(books.listContacts()))[0]?.numbers).toEqual({ home: '030 999' });
    expect((await books.listPhonebooks()).find((p) => p.id === pb.id)).toMatchObject({
      total: 1,
      allContacts: false,
    });
    await books.deleteContact(c.id);
    await books.deleteContact(c.id);
    expect(await collect(books.listContacts())).toEqual([]);
    await books.renamePhonebook(pb.id, 'Shared');
    await books.deletePhonebook(pb.id);
    await expect(books.listPhonebooks()).resolves.toEqual([]);
  });
});

describe('UNCONFIRMED PBX variants', () => {
  let h: SimHarness;
  afterEach(() => h.stop());

  test('id-keyed refs, clamped pages, no email search, bare duplicate-number error, mapped HTTP statuses', async () => {
    h = await startHarness({
      refItemKey: 'id',
      maxPageSize: 7,
      searchMatchesEmail: false,
      duplicateNumberHasFieldList: false,
      errorHttpStatus: 'mapped',
      refreshRevokesOldToken: true,
      unknownIdErrcode: 40002,
    });
    const dir = h.directory({ pageSize: 100, searchMatchesEmail: false });
    const org = await dir.createOrganization({ name: 'Ops' });
    for (let i = 0; i < 20; i++) await dir.createExtension(person(5000 + i, { organizationIds: [org.id] }));
    expect((await collect(dir.listExtensions())).map((e) => e.number)).toHaveLength(20);
    await expect(dir.findExtensionByEmail('user5013@contoso.com')).resolves.toMatchObject({ number: '5013' });
    const ext = await dir.findExtensionByNumber('5001');
    expect(ext?.organizationIds).toEqual([org.id]);
    const dup = await failureOf<ApplicationFailure>(
      dir.createExtension(person(5001, { email: 'new@contoso.com' })),
    );
    expect(dup.message).toContain('number 5001 is already used by extension 5001 (user5001@contoso.com)');
    await dir.deleteExtension(ext?.id ?? '');
    await dir.deleteExtension(ext?.id ?? '');
    expect((await dir.listOrganizations()).find((o) => o.id === org.id)?.memberIds).toHaveLength(19);
  });

  test('a PBX without disable/Linkus fields and with Organization Management off', async () => {
    h = await startHarness({
      extensionEnabledField: null,
      linkusEnabledField: null,
      organizationManagement: false,
    });
    const dir = h.directory({ extensionEnabledField: null, linkusEnabledField: null });
    expect(dir.capabilities).toMatchObject({ disableExtension: false, linkusToggle: false });
    const { id } = await dir.createExtension(person(6001));
    await expect(failureOf(dir.setExtensionEnabled(id, false))).resolves.toMatchObject({
      type: PbxFailure.Unsupported,
    });
    await expect(failureOf(dir.setLinkusAccess(id, { enabled: false }))).resolves.toMatchObject({
      type: PbxFailure.Unsupported,
    });
    await dir.setLinkusAccess(id, { enabled: true, ssoIdentity: 'user6001@contoso.com' });
    const org = await failureOf<ApplicationFailure>(dir.createOrganization({ name: 'X' }));
    expect(org).toMatchObject({ type: PbxFailure.Forbidden, nonRetryable: true });
  });

  test('a throttling PBX surfaces as retryable BUSY', async () => {
    h = await startHarness({ rateLimit: { perSecond: 2, errcode: 70082, httpStatus: 200 } });
    const dir = h.directory();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => dir.findExtensionByNumber(String(i))),
    );
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((r) => (r.reason as ApplicationFailure).type === PbxFailure.Busy)).toBe(true);
  });
});
