import { createHmac } from 'node:crypto';
import http from 'node:http';
import WebSocket from 'ws';
import { startYeastarSimulator } from '../simulators/yeastar/index.js';
import { api, startHarness, tempDataDir, token, type SimHarness } from './support/yeastar-harness.js';

/** The simulator against the Yeastar documentation, over raw HTTP. */
const VALID = {
  type: 'SIP',
  number: '1001',
  first_name: 'Alice',
  last_name: 'Smith',
  email_addr: 'alice@contoso.com',
  user_password: 'Xq7Wm2Kp9Tz',
  reg_name: '1001',
  reg_password: 'sip-secret-1',
  concurrent_registrations: 1,
  presence_status: 'available',
  organization_list: [{ value: '1' }],
};

describe('authentication', () => {
  let h: SimHarness;
  beforeEach(async () => {
    h = await startHarness({ accessTokenTtlSec: 1 });
  });
  afterEach(() => h.stop());

  test('User-Agent is required', async () => {
    const body = { username: h.sim.clientId, password: h.sim.clientSecret };
    await expect(api(h.sim.url, 'get_token', { body, userAgent: null })).resolves.toMatchObject({
      errcode: 40001,
    });
    await expect(api(h.sim.url, 'get_token', { body })).resolves.toMatchObject({
      errcode: 0,
      access_token_expire_time: 1,
      refresh_token_expire_time: 86400,
    });
  });

  test('at most 8 valid tokens per client; del_token frees one', async () => {
    const tokens = [];
    for (let i = 0; i < 8; i++) tokens.push(await token(h.sim));
    const body = { username: h.sim.clientId, password: h.sim.clientSecret };
    await expect(api(h.sim.url, 'get_token', { body })).resolves.toMatchObject({ errcode: -1 });
    await expect(api(h.sim.url, 'del_token', { token: tokens[0] })).resolves.toMatchObject({ errcode: 0 });
    await expect(api(h.sim.url, 'get_token', { body })).resolves.toMatchObject({ errcode: 0 });
  });

  test('expired and unknown tokens → 10004; refresh_token issues a new pair', async () => {
    const body = { username: h.sim.clientId, password: h.sim.clientSecret };
    const first = await api(h.sim.url, 'get_token', { body });
    await expect(api(h.sim.url, 'extension/list', { token: 'garbage' })).resolves.toMatchObject({
      errcode: 10004,
    });
    await new Promise((r) => setTimeout(r, 1100));
    const expired = await api(h.sim.url, 'extension/list', { token: first.access_token as string });
    expect(expired).toEqual({ errcode: 10004, errmsg: 'TOKEN EXPIRED' });
    const refreshed = await api(h.sim.url, 'refresh_token', { body: { refresh_token: first.refresh_token } });
    expect(refreshed.errcode).toBe(0);
    const list = await api(h.sim.url, 'extension/list', { token: refreshed.access_token as string });
    expect(list).toMatchObject({ errcode: 0, total_number: 0, data: [] });
    await expect(
      api(h.sim.url, 'refresh_token', { body: { refresh_token: first.refresh_token } }),
    ).resolves.toMatchObject({
      errcode: 10004,
    });
  });

  test('5 failed logins block the IP (70004) until an admin unblocks it', async () => {
    const bad = { username: h.sim.clientId, password: 'nope' };
    for (let i = 0; i < 5; i++) {
      await expect(api(h.sim.url, 'get_token', { body: bad })).resolves.toEqual({
        errcode: -1,
        errmsg: 'FAILURE',
        invalid_param_list: [{ field: 'username or password', value: 'error' }],
      });
    }
    const good = { username: h.sim.clientId, password: h.sim.clientSecret };
    await expect(api(h.sim.url, 'get_token', { body: good })).resolves.toMatchObject({ errcode: 70004 });
    h.sim.control.unblockIp('127.0.0.1');
    await expect(api(h.sim.url, 'get_token', { body: good })).resolves.toMatchObject({ errcode: 0 });
  });
});

describe('extensions', () => {
  let h: SimHarness;
  let t: string;
  const create = (body: unknown) => api(h.sim.url, 'extension/create', { token: t, body });
  beforeAll(async () => {
    h = await startHarness({ extensionCapacity: 3 });
    t = await token(h.sim);
  });
  afterAll(() => h.stop());

  const without = (field: string) => Object.fromEntries(Object.entries(VALID).filter(([k]) => k !== field));
  test.each([
    'type',
    'number',
    'user_password',
    'reg_name',
    'reg_password',
    'concurrent_registrations',
    'presence_status',
    'organization_list',
  ])('missing %s → 40002 required', async (field) => {
    await expect(create(without(field))).resolves.toEqual({
      errcode: 40002,
      errmsg: 'PARAMETER ERROR',
      invalid_param_list: [{ field, validation_type: 'required' }],
    });
  });

  test.each<[string, unknown, string]>([
    ['user_password', 'xq7wm2kp9tz', 'no upper case'],
    ['user_password', 'XQ7WM2KP9TZ', 'no lower case'],
    ['user_password', 'XqWmKpTzAb', 'no digit'],
    ['user_password', 'Xq1234Kp', '4 consecutive digits'],
    ['user_password', 'Xq9876Kp', '4 descending digits'],
    ['user_password', 'Xq5555Kp', '4 identical digits'],
    ['user_password', 'Xq1001Kp', 'contains the number'],
    ['user_password', 'Xq7aliceKp', 'contains the first name'],
    ['reg_password', 'short', 'reg_password under 8'],
    ['reg_password', 'x'.repeat(64), 'reg_password over 63'],
    ['reg_name', 'r'.repeat(64), 'reg_name over 63'],
    ['presence_status', 'lunch_break', 'unknown presence'],
    ['type', 'FXS', 'type other than SIP'],
    ['number', '10a1', 'non-digit number'],
    ['email_addr', 'alice.contoso.com', 'malformed email'],
    ['email_language', 'xx', 'unknown email_language'],
    ['concurrent_registrations', 0, 'concurrent_registrations below 1'],
    ['organization_list', [{ value: '999' }], 'unknown organization'],
  ])('%s = %j (%s) → 40002', async (field, value) => {
    const res = await create({ ...VALID, [field]: value });
    expect(res).toMatchObject({ errcode: 40002, errmsg: 'PARAMETER ERROR' });
    expect((res.invalid_param_list as Array<{ field: string }>)[0]?.field).toBe(field);
  });

  test('wrong JSON types and non-JSON bodies → 40001', async () => {
    await expect(create({ ...VALID, number: 1001 })).resolves.toMatchObject({ errcode: 40001 });
    await expect(create('{not json')).resolves.toMatchObject({ errcode: 40001 });
  });

  test('create, read shapes, duplicates, update, capacity', async () => {
    const created = await create(VALID);
    expect(created).toEqual({ errcode: 0, errmsg: 'SUCCESS', id: 1 });
    const dupEmail = await create({ ...VALID, number: '1002', reg_name: '1002' });
    expect(dupEmail).toEqual({
      errcode: 40003,
      errmsg: 'DUPLICATE KEY VALUE',
      submsg: 'Extension create fail for duplicate fields',
      duplicate_field_list: [
        {
          field: 'email_addr',
          value: 'alice@contoso.com',
          external_source: 'extension',
          external_source_name: '1001',
        },
      ],
    });
    const dupNumber = await create({ ...VALID, email_addr: 'other@contoso.com' });
    expect(dupNumber).toMatchObject({
      errcode: 40003,
      duplicate_field_list: [{ field: 'number', value: '1001' }],
    });

    const list = await api(h.sim.url, 'extension/list', { token: t });
    const row = (list.data as Array<Record<string, unknown>>)[0];
    expect(row).toMatchObject({
      id: 1,
      number: '1001',
      caller_id_name: 'Alice Smith',
      presence_status: 'available',
    });
    expect(row).toHaveProperty('online_status.linkus_mobile', { status: 0, ext_dev_type: 'linkusmobile' });
    expect(row).not.toHaveProperty('first_name');
    const detail = (await api(h.sim.url, 'extension/get', { token: t, query: { id: '1' } })).data as Record<
      string,
      unknown
    >;
    expect(detail).toMatchObject({
      first_name: 'Alice',
      last_name: 'Smith',
      organization_list: [{ value: '1' }],
      type: 'SIP',
    });
    expect(detail).not.toHaveProperty('user_password');
    expect(detail).not.toHaveProperty('reg_password');
    expect(detail).not.toHaveProperty('caller_id_name');

    const update = (body: unknown) => api(h.sim.url, 'extension/update', { token: t, body });
    await expect(update({ id: 1, presence_status: 'off_work' })).resolves.toEqual({
      errcode: 0,
      errmsg: 'SUCCESS',
    });
    await expect(update({ id: 1, number: '1999' })).resolves.toMatchObject({ errcode: 40002 });
    await expect(update({ id: 42, presence_status: 'away' })).resolves.toMatchObject({ errcode: 60001 });
    await expect(update({ presence_status: 'away' })).resolves.toMatchObject({ errcode: 40002 });
    const query = await api(h.sim.url, 'extension/query', { token: t, query: { ids: '1,42' } });
    expect(query).toMatchObject({ total_number: 1, data: [{ id: 1, presence_status: 'off_work' }] });

    await create({ ...VALID, number: '1002', reg_name: '1002', email_addr: 'b@contoso.com' });
    await create({ ...VALID, number: '1003', reg_name: '1003', email_addr: 'c@contoso.com' });
    await expect(
      create({ ...VALID, number: '1004', reg_name: '1004', email_addr: 'd@contoso.com' }),
    ).resolves.toMatchObject({
      errcode: 60002,
      errmsg: 'MAX LIMITATION EXCEEDED',
    });
  });

  test('search, paging and sort', async () => {
    const search = await api(h.sim.url, 'extension/search', {
      token: t,
      query: { search_value: 'c@contoso' },
    });
    expect(search).toMatchObject({ total_number: 1, data: [{ number: '1003' }] });
    const page = await api(h.sim.url, 'extension/list', {
      token: t,
      query: { page: '2', page_size: '2', sort_by: 'number', order_by: 'desc' },
    });
    expect(page).toMatchObject({ total_number: 3, data: [{ number: '1001' }] });
    await expect(
      api(h.sim.url, 'extension/list', { token: t, query: { sort_by: 'title' } }),
    ).resolves.toMatchObject({
      errcode: 40002,
    });
    await expect(api(h.sim.url, 'extension/nope', { token: t })).resolves.toMatchObject({ errcode: 10001 });
  });

  test('welcome email is recorded and shown on the status page; delete by GET', async () => {
    const sent = await api(h.sim.url, 'extension/send_welcome_email', { token: t, body: { id_list: [1] } });
    expect(sent.errcode).toBe(0);
    expect(h.sim.control.state().welcomeEmails).toMatchObject([
      { number: '1001', email_addr: 'alice@contoso.com' },
    ]);
    const html = await (await fetch(`${h.sim.url}/`)).text();
    expect(html).toContain('Welcome emails');
    expect(html).toMatch(/<td>1001<\/td><td>alice@contoso.com<\/td>/);
    await expect(api(h.sim.url, 'extension/delete', { token: t, query: { id: '3' } })).resolves.toMatchObject(
      { errcode: 0 },
    );
    await expect(api(h.sim.url, 'extension/delete', { token: t, query: { id: '3' } })).resolves.toMatchObject(
      {
        errcode: 60001,
      },
    );
  });
});

describe('organizations, groups, contacts, phonebooks', () => {
  let h: SimHarness;
  let t: string;
  const call = (endpoint: string, body?: unknown, query?: Record<string, string>) =>
    api(h.sim.url, endpoint, { token: t, body, query });
  beforeAll(async () => {
    h = await startHarness({ maxExtensionGroups: 2, maxOrganizationDepth: 2 });
    t = await token(h.sim);
  });
  afterAll(() => h.stop());

  test('organization tree under root 1; root is not editable; depth cap', async () => {
    const a = await call('organization/create', { name: 'Sales', parent_id: 1 });
    expect(a).toMatchObject({ errcode: 0, id: 2 });
    const b = await call('organization/create', { name: 'EMEA', parent_id: 2 });
    await expect(call('organization/create', { name: 'DE', parent_id: b.id })).resolves.toMatchObject({
      errcode: 60002,
    });
    await expect(call('organization/update', { id: 1, name: 'x' })).resolves.toMatchObject({
      errcode: 40002,
    });
    await expect(call('organization/delete', undefined, { id: '1' })).resolves.toMatchObject({
      errcode: 40002,
    });
    const list = await call('organization/list', undefined, { is_all: '1' });
    expect(list.organization_list).toEqual([
      {
        id: 1,
        name: 'Company',
        parent_id: 0,
        order: 0,
        ext_number: 0,
        ext_list: [],
        children: [
          {
            id: 2,
            name: 'Sales',
            parent_id: 1,
            order: 0,
            ext_number: 0,
            ext_list: [],
            children: [
              { id: 3, name: 'EMEA', parent_id: 2, order: 0, ext_number: 0, ext_list: [], children: [] },
            ],
          },
        ],
      },
    ]);
  });

  test('extension groups: required fields, cap', async () => {
    await expect(call('extensiongroup/create', { name: 'A' })).resolves.toMatchObject({
      errcode: 40002,
      invalid_param_list: [{ field: 'member_select', validation_type: 'required' }],
    });
    await expect(
      call('extensiongroup/create', { name: 'A', member_select: 'sel_specific' }),
    ).resolves.toMatchObject({
      errcode: 40002,
      invalid_param_list: [{ field: 'members', validation_type: 'required' }],
    });
    await call('extensiongroup/create', { name: 'A', member_select: 'sel_all_ext', mgr_enb_chg_presence: 1 });
    await call('extensiongroup/create', { name: 'B', member_select: 'sel_specific', members: [] });
    await expect(
      call('extensiongroup/create', { name: 'C', member_select: 'sel_all_ext' }),
    ).resolves.toMatchObject({
      errcode: 60002,
    });
    await expect(call('extensiongroup/get', undefined, { id: '1' })).resolves.toMatchObject({
      data: { name: 'A', member_select: 'sel_all_ext', members: [], mgr_enb_chg_presence: 1 },
    });
  });

  test('contacts: write shape ≠ read shape; 70091 while a phonebook references it', async () => {
    await expect(call('company_contact/create', { number_list: [] })).resolves.toMatchObject({
      errcode: 40002,
    });
    const pb = await call('phonebook/create', { name: 'Partners', member_select: 'sel_specific' });
    const c = await call('company_contact/create', {
      first_name: 'Ann',
      last_name: 'Lee',
      company: 'Fabrikam',
      email: 'ann@fabrikam.com',
      remark: 'vip',
      number_list: [
        { num_type: 'business_number', number: '+1 555 0100' },
        { num_type: 'mobile_number2', number: '555-0101' },
      ],
      phonebook_id_list: [pb.id],
    });
    const list = await call('company_contact/list');
    expect(list.data).toEqual([
      {
        id: c.id,
        contact_name: 'Ann Lee',
        company: 'Fabrikam',
        email: 'ann@fabrikam.com',
        phonebook_list: [{ id: pb.id, name: 'Partners' }],
        remark: 'vip',
        business: '+1 555 0100',
        business2: '',
        business_fax: '',
        mobile: '',
        mobile2: '555-0101',
        home: '',
        home2: '',
        home_fax: '',
        other: '',
      },
    ]);
    await expect(call('company_contact/delete', undefined, { id: String(c.id) })).resolves.toMatchObject({
      errcode: 70091,
      errmsg: 'CONNECTION_RELATION_EXISTED',
    });
    await expect(call('phonebook/get', undefined, { id: String(pb.id) })).resolves.toMatchObject({
      data: {
        name: 'Partners',
        total: 1,
        member_select: 'sel_specific',
        contacts_list: [{ contact_name: 'Ann Lee' }],
      },
    });
    await call('phonebook/update', { id: pb.id, del_contacts_id_list: [c.id] });
    await expect(call('company_contact/delete', undefined, { id: String(c.id) })).resolves.toMatchObject({
      errcode: 0,
    });
    await call('phonebook/create', { name: 'All', member_select: 'sel_all' });
    await expect(
      call('phonebook/create', { name: 'All 2', member_select: 'sel_all' }),
    ).resolves.toMatchObject({
      errcode: 40003,
    });
  });
});

describe('events, faults, persistence', () => {
  test('presence (30009) and extension changes (30022) over WebSocket and signed webhooks', async () => {
    const h = await startHarness();
    const received: string[] = [];
    const hook = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push(`${req.headers['x-signature']}|${Buffer.concat(chunks).toString()}`);
        res.end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const { secret } = h.sim.control.addWebhook(
        `http://127.0.0.1:${(hook.address() as { port: number }).port}/`,
        [30009],
      );
      const t = await token(h.sim);
      const ws = new WebSocket(`${h.sim.url.replace('http', 'ws')}/openapi/v1.0/subscribe?access_token=${t}`);
      const frames: string[] = [];
      ws.on('message', (d) => frames.push(d.toString()));
      await new Promise((r) => ws.once('open', r));
      ws.send(JSON.stringify({ topic_list: [30009, 30022] }));
      ws.send('heartbeat');
      await new Promise((r) => setTimeout(r, 50));
      await api(h.sim.url, 'extension/create', { token: t, body: VALID });
      await api(h.sim.url, 'extension/update', { token: t, body: { id: 1, presence_status: 'lunch' } });
      await new Promise((r) => setTimeout(r, 200));
      ws.close();
      expect(frames.slice(0, 2)).toEqual(['{"errcode":0,"errmsg":"SUCCESS"}', 'heartbeat response']);
      const events = frames.slice(2).map((f) => JSON.parse(f) as { type: number; msg: string });
      expect(events.map((e) => [e.type, JSON.parse(e.msg)])).toEqual([
        [30022, { ext_number: '1001', option: 'CREATE' }],
        [30009, { extension: '1001', status: 'lunch' }],
        [30022, { ext_number: '1001', option: 'UPDATE' }],
      ]);
      expect(received).toHaveLength(1);
      const [signature, body] = (received[0] as string).split('|') as [string, string];
      expect(signature).toBe(createHmac('sha256', secret).update(body).digest('base64'));
      expect(JSON.parse(body)).toMatchObject({ type: 30009, sn: '3631A2124SIM' });
    } finally {
      hook.close();
      await h.stop();
    }
  });

  test('latency, concurrency limit and counters', async () => {
    const h = await startHarness({ latencyMs: 50, maxConcurrent: 2 });
    try {
      const t = await token(h.sim);
      h.sim.control.resetCounters();
      const started = Date.now();
      await Promise.all(Array.from({ length: 6 }, () => api(h.sim.url, 'extension/list', { token: t })));
      expect(Date.now() - started).toBeGreaterThanOrEqual(150);
      expect(h.sim.control.peakConcurrency()).toBe(2);
      expect(h.sim.control.counters()).toEqual({ 'extension/list': 6 });
    } finally {
      await h.stop();
    }
  });

  test('a restart keeps extensions, tokens and welcome emails', async () => {
    const dataDir = tempDataDir();
    const first = await startYeastarSimulator({ dataDir, snapshotEvery: 3 });
    const t = await token(first);
    for (let i = 0; i < 5; i++) {
      const n = String(1001 + i);
      await api(first.url, 'extension/create', {
        token: t,
        body: { ...VALID, number: n, reg_name: n, email_addr: `u${n}@contoso.com` },
      });
    }
    await api(first.url, 'extension/send_welcome_email', { token: t, body: { id_list: [2] } });
    await first.stop();
    const second = await startYeastarSimulator({ dataDir });
    try {
      const list = await api(second.url, 'extension/list', { token: t });
      expect(list).toMatchObject({ errcode: 0, total_number: 5 });
      expect(second.control.state().welcomeEmails).toHaveLength(1);
      const next = await api(second.url, 'extension/create', {
        token: t,
        body: { ...VALID, number: '2001', reg_name: '2001', email_addr: 'new@contoso.com' },
      });
      expect(next).toMatchObject({ errcode: 0, id: 6 });
    } finally {
      await second.stop();
    }
  });

  test('a crash (no clean stop) loses no acknowledged write', async () => {
    const dataDir = tempDataDir();
    const first = await startYeastarSimulator({ dataDir });
    const t = await token(first);
    await api(first.url, 'extension/create', { token: t, body: VALID });
    // Open a second simulator on the same files without stopping the first: it sees only the journal.
    const second = await startYeastarSimulator({ dataDir });
    try {
      expect(second.control.state().extensions.map((e) => e.number)).toEqual(['1001']);
    } finally {
      await second.stop();
      await first.stop();
    }
  });
});
