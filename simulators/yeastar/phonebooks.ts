import { ApiError, invalid } from './envelope.js';
import { intList, oneOf, paginate, paging, requireId, str, type Body } from './fields.js';
import type { Handler, SimContext } from './context.js';
import { extensions } from './extensions.js';
import {
  CONTACT,
  contactRow,
  phonebookMembers,
  phonebooks,
  PHONEBOOK,
  type PhonebookRecord,
} from './contacts.js';

/**
 * Phonebooks: rows {id,name,total,member_select} (+ the `phonebookMemberField` when set); get adds contacts_list.
 * A deleted extension's id stays in visibility lists, so deleting the only member never makes a phonebook visible
 * to everyone.
 */
const SELECT = ['sel_all', 'sel_specific'] as const;
const SORT = ['name', 'total', 'id'] as const;

function find(sim: SimContext, id: number): PhonebookRecord {
  const pb = sim.store.get<PhonebookRecord>(PHONEBOOK, id);
  if (!pb) throw new ApiError(70093);
  return pb;
}

function row(sim: SimContext, pb: PhonebookRecord): Record<string, unknown> {
  const r: Record<string, unknown> = {
    id: pb.id,
    name: pb.name,
    total: phonebookMembers(sim, pb).length,
    member_select: pb.member_select,
  };
  const field = sim.settings.phonebookMemberField;
  if (field) r[field] = pb.visible_to ?? [];
  return r;
}

const detail = (sim: SimContext, pb: PhonebookRecord) => ({
  ...row(sim, pb),
  contacts_list: phonebookMembers(sim, pb).map((c) => contactRow(sim, c)),
});

/** The visibility list in `body`, when the PBX variant has the field and the body carries it. */
function readVisibleTo(sim: SimContext, body: Body): number[] | undefined {
  const field = sim.settings.phonebookMemberField;
  if (!field) return undefined;
  const ids = intList(body, field);
  const missing = ids?.find((id) => !sim.store.get('extensions', id));
  if (missing !== undefined) throw invalid(field, missing);
  return ids && [...new Set(ids)];
}

/** Control API: what an extension's user sees in Linkus and on the phone (phonebook/get shape). */
export function visiblePhonebooks(sim: SimContext, number: string): Array<Record<string, unknown>> {
  const ext = extensions(sim).find((e) => e.number === number);
  if (!ext) throw new Error(`no extension ${number}`);
  const restricted = sim.settings.phonebookMemberField !== null;
  return phonebooks(sim)
    .filter((pb) => !restricted || !pb.visible_to?.length || pb.visible_to.includes(ext.id))
    .map((pb) => detail(sim, pb));
}

function contactIds(sim: SimContext, body: Body, field: string): number[] {
  const ids = intList(body, field) ?? [];
  if (ids.some((id) => !sim.store.get(CONTACT, id))) throw new ApiError(70128);
  return ids;
}

function assertUnique(sim: SimContext, pb: PhonebookRecord): void {
  const clash = phonebooks(sim).find(
    (o) =>
      o.id !== pb.id &&
      (o.name === pb.name ||
        (sim.settings.singleSelAllPhonebook &&
          pb.member_select === 'sel_all' &&
          o.member_select === 'sel_all')),
  );
  if (!clash) return;
  const field = clash.name === pb.name ? 'name' : 'member_select';
  throw new ApiError(40003, {
    duplicate_field_list: [
      {
        field,
        value: field === 'name' ? pb.name : 'sel_all',
        external_source: 'phonebook',
        external_source_name: clash.name,
      },
    ],
  });
}

export const list: Handler = (sim, req) =>
  paginate(
    phonebooks(sim).map((pb) => row(sim, pb)),
    paging(req.query, sim.settings, SORT),
  );

export const search: Handler = (sim, req) => {
  const needle = (req.query.get('search_value') ?? '').toLowerCase();
  return paginate(
    phonebooks(sim)
      .filter((pb) => pb.name.toLowerCase().includes(needle))
      .map((pb) => row(sim, pb)),
    paging(req.query, sim.settings, SORT),
  );
};

export const get: Handler = (sim, req) => {
  const pb = find(sim, requireId(req.query));
  return { data: detail(sim, pb) };
};

export const create: Handler = (sim, req) => {
  const pb: PhonebookRecord = {
    id: 0,
    name: str(req.body, 'name', { required: true, max: 127 }) as string,
    member_select: oneOf(req.body, 'member_select', SELECT, true) as PhonebookRecord['member_select'],
    contact_ids: [...new Set(contactIds(sim, req.body, 'add_contacts_id_list'))],
    visible_to: readVisibleTo(sim, req.body) ?? [],
  };
  assertUnique(sim, pb);
  if (phonebooks(sim).length >= sim.settings.maxPhonebooks) throw new ApiError(60002);
  pb.id = sim.store.nextId(PHONEBOOK);
  sim.store.put(PHONEBOOK, pb.id, pb);
  return { id: pb.id };
};

export const update: Handler = (sim, req) => {
  const current = find(sim, requireId(req.body));
  const name = str(req.body, 'name', { max: 127 }) ?? current.name;
  if (!name) throw invalid('name', name);
  const add = contactIds(sim, req.body, 'add_contacts_id_list');
  const del = contactIds(sim, req.body, 'del_contacts_id_list');
  const next: PhonebookRecord = {
    ...current,
    name,
    member_select: oneOf(req.body, 'member_select', SELECT) ?? current.member_select,
    contact_ids: [...new Set([...current.contact_ids, ...add])].filter((id) => !del.includes(id)),
    visible_to: readVisibleTo(sim, req.body) ?? current.visible_to ?? [],
  };
  assertUnique(sim, next);
  sim.store.put(PHONEBOOK, next.id, next);
  return {};
};

export const remove: Handler = (sim, req) => {
  const pb = find(sim, requireId(req.query));
  sim.store.del(PHONEBOOK, pb.id);
  return {};
};
