import { api, startHarness, token, type SimHarness } from './support/yeastar-harness.js';

/** Company contacts and phonebooks: caps, write vs read shape, search, and the optional visibility field. */
let h: SimHarness;
let t: string;
const call = (endpoint: string, body?: unknown, query?: Record<string, string>) =>
  api(h.sim.url, endpoint, { token: t, body, query });
const createExtension = (number: string) =>
  call('extension/create', {
    type: 'SIP',
    number,
    user_password: 'Xq7Wm2Kp9Tz',
    reg_name: number,
    reg_password: 'sip-secret-1',
    concurrent_registrations: 1,
    presence_status: 'available',
    organization_list: [{ value: '1' }],
  });
const contact = (first_name: string, extra: Record<string, unknown> = {}) =>
  call('company_contact/create', {
    first_name,
    number_list: [{ num_type: 'mobile_number', number: '+1 555 0100' }],
    ...extra,
  });
const names = (books: Array<Record<string, unknown>>) => books.map((b) => b.name);

async function start(options: Parameters<typeof startHarness>[0] = {}): Promise<void> {
  h = await startHarness(options);
  t = await token(h.sim);
}
afterEach(() => h.stop());

describe('caps and references', () => {
  test('maxPhonebooks and maxCompanyContacts → 60002', async () => {
    await start({ maxPhonebooks: 2, maxCompanyContacts: 2 });
    await call('phonebook/create', { name: 'A', member_select: 'sel_specific' });
    await call('phonebook/create', { name: 'B', member_select: 'sel_specific' });
    await expect(call('phonebook/create', { name: 'C', member_select: 'sel_specific' })).resolves.toEqual({
      errcode: 60002,
      errmsg: 'MAX LIMITATION EXCEEDED',
    });
    await contact('Ann');
    await contact('Bob');
    await expect(contact('Cid')).resolves.toEqual({ errcode: 60002, errmsg: 'MAX LIMITATION EXCEEDED' });
  });

  test('70091 for a contact added from the phonebook side; unknown ids → 70128 / 70093', async () => {
    await start();
    const c = await contact('Ann');
    const pb = await call('phonebook/create', {
      name: 'Partners',
      member_select: 'sel_specific',
      add_contacts_id_list: [c.id],
    });
    await expect(call('company_contact/delete', undefined, { id: String(c.id) })).resolves.toMatchObject({
      errcode: 70091,
      errmsg: 'CONNECTION_RELATION_EXISTED',
    });
    await expect(call('phonebook/update', { id: pb.id, add_contacts_id_list: [999] })).resolves.toMatchObject(
      {
        errcode: 70128,
      },
    );
    await expect(contact('Bob', { phonebook_id_list: [999] })).resolves.toMatchObject({ errcode: 70093 });
    await call('phonebook/delete', undefined, { id: String(pb.id) });
    await expect(call('company_contact/delete', undefined, { id: String(c.id) })).resolves.toMatchObject({
      errcode: 0,
    });
  });
});

describe('contacts', () => {
  beforeEach(() => start());

  test('update replaces number_list, keeps omitted fields; the read shape has one field per slot', async () => {
    const c = await contact('Ann', { last_name: 'Lee', company: 'Fabrikam', remark: 'entra-pbx-sync:u1' });
    await call('company_contact/update', {
      id: c.id,
      last_name: 'Lee-Park',
      number_list: [
        { num_type: 'business_number', number: '+1 555 0111' },
        { num_type: 'home_fax', number: '555 0112' },
      ],
    });
    const { data } = await call('company_contact/list');
    expect(data).toEqual([
      {
        id: c.id,
        contact_name: 'Ann Lee-Park',
        company: 'Fabrikam',
        email: '',
        phonebook_list: [],
        remark: 'entra-pbx-sync:u1',
        business: '+1 555 0111',
        business2: '',
        business_fax: '',
        mobile: '',
        mobile2: '',
        home: '',
        home2: '',
        home_fax: '555 0112',
        other: '',
      },
    ]);
    await expect(
      call('company_contact/update', {
        id: c.id,
        number_list: [
          { num_type: 'mobile_number', number: '1' },
          { num_type: 'mobile_number', number: '2' },
        ],
      }),
    ).resolves.toMatchObject({ errcode: 40002, invalid_param_list: [{ field: 'num_type' }] });
  });

  test('company_contact/search matches name, company, number and remark, paged', async () => {
    await contact('Ann', { company: 'Fabrikam', remark: 'entra-pbx-sync:u1' });
    await contact('Bob', { company: 'Contoso', number_list: [{ num_type: 'other_number', number: '4711' }] });
    await contact('Cid', { company: 'Fabrikam' });
    const search = (search_value: string, extra: Record<string, string> = {}) =>
      call('company_contact/search', undefined, { search_value, ...extra });
    await expect(search('bob')).resolves.toMatchObject({ total_number: 1, data: [{ contact_name: 'Bob' }] });
    await expect(search('4711')).resolves.toMatchObject({ total_number: 1, data: [{ other: '4711' }] });
    await expect(search('entra-pbx-sync:u1')).resolves.toMatchObject({ total_number: 1, data: [{ id: 1 }] });
    await expect(
      search('fabrikam', { page: '2', page_size: '1', sort_by: 'contact_name', order_by: 'desc' }),
    ).resolves.toMatchObject({ total_number: 2, data: [{ contact_name: 'Ann' }] });
    await expect(search('x', { page_size: '10001' })).resolves.toMatchObject({ errcode: 40002 });
  });
});

describe('phonebook visibility', () => {
  test('without phonebookMemberField (default) the field is ignored and every phonebook is visible', async () => {
    await start();
    await createExtension('1001');
    const pb = await call('phonebook/create', {
      name: 'Mine',
      member_select: 'sel_specific',
      member_list: [1],
    });
    expect(pb).toMatchObject({ errcode: 0 });
    const got = await call('phonebook/get', undefined, { id: String(pb.id) });
    expect(got.data).toEqual({
      id: pb.id,
      name: 'Mine',
      total: 0,
      member_select: 'sel_specific',
      contacts_list: [],
    });
    expect(names(h.sim.control.visiblePhonebooks('1001'))).toEqual(['Mine']);
  });

  test('with phonebookMemberField the list restricts who sees a phonebook; empty = everyone', async () => {
    await start({ phonebookMemberField: 'member_list' });
    await createExtension('1001');
    await createExtension('1002');
    const ann = await contact('Ann');
    const personal = await call('phonebook/create', {
      name: 'Personal 1001',
      member_select: 'sel_specific',
      add_contacts_id_list: [ann.id],
      member_list: [1],
    });
    await call('phonebook/create', { name: 'Company', member_select: 'sel_all' });

    await expect(call('phonebook/get', undefined, { id: String(personal.id) })).resolves.toMatchObject({
      data: { name: 'Personal 1001', member_list: [1], contacts_list: [{ contact_name: 'Ann' }] },
    });
    await expect(call('phonebook/list')).resolves.toMatchObject({
      data: [
        { name: 'Personal 1001', member_list: [1] },
        { name: 'Company', member_list: [] },
      ],
    });
    await expect(call('phonebook/search', undefined, { search_value: 'personal' })).resolves.toMatchObject({
      total_number: 1,
      data: [{ member_list: [1] }],
    });
    expect(h.sim.control.visiblePhonebooks('1001')).toMatchObject([
      { name: 'Personal 1001', total: 1, contacts_list: [{ contact_name: 'Ann' }] },
      { name: 'Company' },
    ]);
    expect(names(h.sim.control.visiblePhonebooks('1002'))).toEqual(['Company']);

    await call('phonebook/update', { id: personal.id, name: 'Personal 1001 and 1002', member_list: [1, 2] });
    expect(names(h.sim.control.visiblePhonebooks('1002'))).toEqual(['Personal 1001 and 1002', 'Company']);
    await call('phonebook/update', { id: personal.id, name: 'Personal 1001' });
    await expect(call('phonebook/get', undefined, { id: String(personal.id) })).resolves.toMatchObject({
      data: { member_list: [1, 2] },
    });
    await call('phonebook/update', { id: personal.id, member_list: [] });
    await expect(call('phonebook/get', undefined, { id: String(personal.id) })).resolves.toMatchObject({
      data: { member_list: [] },
    });
    expect(names(h.sim.control.visiblePhonebooks('1002'))).toEqual(['Personal 1001', 'Company']);
  });

  test('unknown extension ids → 40002, wrong types → 40001; a deleted owner keeps the book private', async () => {
    await start({ phonebookMemberField: 'member_list' });
    await createExtension('1001');
    await createExtension('1002');
    await expect(
      call('phonebook/create', { name: 'P', member_select: 'sel_specific', member_list: [1, 42] }),
    ).resolves.toEqual({
      errcode: 40002,
      errmsg: 'PARAMETER ERROR',
      invalid_param_list: [{ field: 'member_list', value: 42 }],
    });
    await expect(
      call('phonebook/create', { name: 'P', member_select: 'sel_specific', member_list: [{ value: '1' }] }),
    ).resolves.toMatchObject({ errcode: 40001, invalid_param_list: [{ field: 'member_list' }] });
    const pb = await call('phonebook/create', { name: 'P', member_select: 'sel_specific', member_list: [1] });
    await call('extension/delete', undefined, { id: '1' });
    await expect(call('phonebook/get', undefined, { id: String(pb.id) })).resolves.toMatchObject({
      data: { member_list: [1] },
    });
    expect(h.sim.control.visiblePhonebooks('1002')).toEqual([]);
    expect(() => h.sim.control.visiblePhonebooks('1001')).toThrow('no extension 1001');
  });
});
