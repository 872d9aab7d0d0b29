import { ApiError, invalid, invalidParams, required } from './envelope.js';
import { intList, paginate, paging, requireId, str, type Body, type PageLimits } from './fields.js';
import type { Handler, SimContext } from './context.js';

/** Company contacts: written as first_name/last_name + number_list, read as contact_name + one field per slot. */
export const NUM_TYPES = {
  business_number: 'business',
  business_number2: 'business2',
  business_fax: 'business_fax',
  mobile_number: 'mobile',
  mobile_number2: 'mobile2',
  home_number: 'home',
  home_number2: 'home2',
  home_fax: 'home_fax',
  other_number: 'other',
} as const;
type NumType = keyof typeof NUM_TYPES;
const TEXT_FIELDS = ['company', 'remark', 'zip_code', 'street', 'city', 'state', 'country'] as const;

export interface ContactRecord {
  id: number;
  first_name: string;
  last_name: string;
  email: string;
  numbers: Partial<Record<NumType, string>>;
  text: Partial<Record<(typeof TEXT_FIELDS)[number], string>>;
}

export interface PhonebookRecord {
  id: number;
  name: string;
  member_select: 'sel_all' | 'sel_specific';
  contact_ids: number[];
  /** Extension ids who may see the phonebook (`phonebookMemberField`); empty or absent = everyone. */
  visible_to?: number[];
}

export const CONTACT = 'companyContacts';
export const PHONEBOOK = 'phonebooks';
export const CONTACT_PAGES: PageLimits = {
  defaultPageSize: 10000,
  maxPageSize: 10000,
  pageSizeOverMax: 'reject',
};
const SORT = [
  'id',
  'contact_name',
  'company',
  'email',
  'business',
  'mobile',
  'home',
  'business_fax',
] as const;

export const contacts = (sim: SimContext) => sim.store.all<ContactRecord>(CONTACT);
export const phonebooks = (sim: SimContext) => sim.store.all<PhonebookRecord>(PHONEBOOK);

export function phonebookMembers(sim: SimContext, pb: PhonebookRecord): ContactRecord[] {
  return pb.member_select === 'sel_all'
    ? contacts(sim)
    : pb.contact_ids.flatMap((id) => sim.store.get<ContactRecord>(CONTACT, id) ?? []);
}

export function contactRow(sim: SimContext, c: ContactRecord): Record<string, unknown> {
  const row: Record<string, unknown> = {
    id: c.id,
    contact_name: [c.first_name, c.last_name].filter(Boolean).join(' '),
    company: c.text.company ?? '',
    email: c.email,
    phonebook_list: phonebooks(sim)
      .filter((pb) => pb.member_select === 'sel_all' || pb.contact_ids.includes(c.id))
      .map((pb) => ({ id: pb.id, name: pb.name })),
    remark: c.text.remark ?? '',
  };
  for (const [type, key] of Object.entries(NUM_TYPES)) row[key] = c.numbers[type as NumType] ?? '';
  return row;
}

function name(sim: SimContext, body: Body, field: string, isRequired: boolean): string | undefined {
  const v = str(body, field, { required: isRequired, max: 127 });
  if (v && !sim.settings.acceptUnicodeNames && !/^[\x20-\x7e]*$/.test(v)) throw invalid(field, v);
  return v;
}

function readNumbers(body: Body): ContactRecord['numbers'] | undefined {
  const raw = body.number_list;
  if (raw === undefined) return undefined;
  if (!Array.isArray(raw)) throw invalidParams(40001, [{ field: 'number_list', value: raw }]);
  const out: ContactRecord['numbers'] = {};
  for (const item of raw as Body[]) {
    const type = item?.num_type;
    const num = item?.number;
    if (typeof type !== 'string' || !(type in NUM_TYPES) || out[type as NumType] !== undefined) {
      throw invalid('num_type', type);
    }
    if (typeof num !== 'string' || num.length > 31 || !/^[\d\s()+.-]+$/.test(num))
      throw invalid('number', num);
    out[type as NumType] = num;
  }
  return out;
}

function readPhonebookIds(sim: SimContext, body: Body): number[] | undefined {
  const ids = intList(body, 'phonebook_id_list');
  if (ids?.some((id) => !sim.store.get(PHONEBOOK, id))) throw new ApiError(70093);
  return ids;
}

function readContact(sim: SimContext, body: Body, base: ContactRecord): ContactRecord {
  const email = str(body, 'email', { max: 127 });
  if (email && !/^[^\s@#,[\]=&"'\\<>`$]+@[^\s@]+\.[^\s@]+$/.test(email)) throw invalid('email', email);
  const text = { ...base.text };
  for (const f of TEXT_FIELDS) {
    const v = str(body, f, { max: 255 });
    if (v !== undefined) text[f] = v;
  }
  return {
    ...base,
    first_name: name(sim, body, 'first_name', false) ?? base.first_name,
    last_name: name(sim, body, 'last_name', false) ?? base.last_name,
    email: email ?? base.email,
    numbers: readNumbers(body) ?? base.numbers,
    text,
  };
}

function setMembership(sim: SimContext, contactId: number, phonebookIds: number[]): void {
  for (const pb of phonebooks(sim).filter((p) => p.member_select === 'sel_specific')) {
    const has = pb.contact_ids.includes(contactId);
    const want = phonebookIds.includes(pb.id);
    if (has === want) continue;
    const ids = want ? [...pb.contact_ids, contactId] : pb.contact_ids.filter((c) => c !== contactId);
    sim.store.put(PHONEBOOK, pb.id, { ...pb, contact_ids: ids });
  }
}

function find(sim: SimContext, id: number): ContactRecord {
  const c = sim.store.get<ContactRecord>(CONTACT, id);
  if (!c) throw new ApiError(70128);
  return c;
}

export const list: Handler = (sim, req) =>
  paginate(
    contacts(sim).map((c) => contactRow(sim, c)),
    paging(req.query, CONTACT_PAGES, SORT),
  );

/** UNCONFIRMED which fields search matches: name, company, email, numbers and remark here. */
export const search: Handler = (sim, req) => {
  const needle = (req.query.get('search_value') ?? '').toLowerCase();
  const rows = contacts(sim)
    .map((c) => contactRow(sim, c))
    .filter((row) =>
      ['contact_name', 'company', 'email', 'remark', ...Object.values(NUM_TYPES)].some((k) =>
        String(row[k]).toLowerCase().includes(needle),
      ),
    );
  return paginate(rows, paging(req.query, CONTACT_PAGES, SORT));
};

export const create: Handler = (sim, req) => {
  name(sim, req.body, 'first_name', true);
  if (!Array.isArray(req.body.number_list) || req.body.number_list.length === 0)
    throw required('number_list');
  const empty: ContactRecord = { id: 0, first_name: '', last_name: '', email: '', numbers: {}, text: {} };
  const contact = readContact(sim, req.body, empty);
  const pbIds = readPhonebookIds(sim, req.body) ?? [];
  if (contacts(sim).length >= sim.settings.maxCompanyContacts) throw new ApiError(60002);
  contact.id = sim.store.nextId(CONTACT);
  sim.store.put(CONTACT, contact.id, contact);
  setMembership(sim, contact.id, pbIds);
  return { id: contact.id };
};

export const update: Handler = (sim, req) => {
  const current = find(sim, requireId(req.body));
  if (req.body.first_name === '') throw required('first_name');
  if (Array.isArray(req.body.number_list) && req.body.number_list.length === 0) throw required('number_list');
  const next = readContact(sim, req.body, current);
  const pbIds = readPhonebookIds(sim, req.body);
  sim.store.put(CONTACT, next.id, next);
  if (pbIds) setMembership(sim, next.id, pbIds);
  return {};
};

export const remove: Handler = (sim, req) => {
  const c = find(sim, requireId(req.query));
  const referencing = phonebooks(sim).find(
    (pb) => pb.member_select === 'sel_specific' && pb.contact_ids.includes(c.id),
  );
  if (referencing) throw new ApiError(70091, { submsg: `Contact is in phonebook ${referencing.name}` });
  sim.store.del(CONTACT, c.id);
  return {};
};
