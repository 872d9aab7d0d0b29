import { ApiError, invalid, required } from './envelope.js';
import { int, oneOf, paginate, paging, ref, refList, requireId, str, type Body } from './fields.js';
import type { Handler, SimContext } from './context.js';

/** Extension groups (≤63 per PBX); members are Member_info items keyed like organization refs. */
export interface GroupRecord {
  id: number;
  name: string;
  member_select: 'sel_all_ext' | 'sel_specific';
  member_ids: number[];
  permissions: Record<string, number>;
}

const GROUP = 'extensionGroups';
const SELECT = ['sel_all_ext', 'sel_specific'] as const;
const MGR_FLAG = /^mgr_enb_[a-z_]+$/;

export const groups = (sim: SimContext) => sim.store.all<GroupRecord>(GROUP);

function find(sim: SimContext, id: number): GroupRecord {
  const g = sim.store.get<GroupRecord>(GROUP, id);
  if (!g)
    throw new ApiError(sim.settings.unknownIdErrcode, { invalid_param_list: [{ field: 'id', value: id }] });
  return g;
}

function render(sim: SimContext, g: GroupRecord): Record<string, unknown> {
  return {
    id: g.id,
    name: g.name,
    member_select: g.member_select,
    members: g.member_ids.map((id) => ref(sim.settings.refItemKey, id)),
    ...g.permissions,
  };
}

function readMembers(sim: SimContext, body: Body): number[] | undefined {
  const ids = refList(body, 'members', sim.settings.refItemKey);
  const missing = ids?.find((id) => !sim.store.get('extensions', id));
  if (missing !== undefined) throw invalid('members', ref(sim.settings.refItemKey, missing));
  return ids && [...new Set(ids)];
}

function readPermissions(body: Body): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.keys(body).filter((k) => MGR_FLAG.test(k))) {
    out[key] = int(body, key, { min: 0, max: 1 }) as number;
  }
  return out;
}

function assertNameFree(sim: SimContext, name: string, selfId: number): void {
  if (groups(sim).some((g) => g.name === name && g.id !== selfId)) {
    throw new ApiError(40003, {
      duplicate_field_list: [
        { field: 'name', value: name, external_source: 'extension_group', external_source_name: name },
      ],
    });
  }
}

export const list: Handler = (sim, req) =>
  paginate(
    groups(sim).map((g) => render(sim, g)),
    paging(req.query, sim.settings, ['id', 'name']),
  );

export const search: Handler = (sim, req) => {
  const needle = (req.query.get('search_value') ?? '').toLowerCase();
  return paginate(
    groups(sim)
      .filter((g) => g.name.toLowerCase().includes(needle))
      .map((g) => render(sim, g)),
    paging(req.query, sim.settings, ['id', 'name']),
  );
};

export const get: Handler = (sim, req) => ({ data: render(sim, find(sim, requireId(req.query))) });

export const create: Handler = (sim, req) => {
  const name = str(req.body, 'name', { required: true, max: 63 }) as string;
  const select = oneOf(req.body, 'member_select', SELECT, true) as GroupRecord['member_select'];
  const memberIds = readMembers(sim, req.body);
  if (select === 'sel_specific' && memberIds === undefined) throw required('members');
  assertNameFree(sim, name, 0);
  if (groups(sim).length >= sim.settings.maxExtensionGroups) throw new ApiError(60002);
  const id = sim.store.nextId(GROUP);
  const g: GroupRecord = {
    id,
    name,
    member_select: select,
    member_ids: memberIds ?? [],
    permissions: readPermissions(req.body),
  };
  sim.store.put(GROUP, id, g);
  return { id };
};

export const update: Handler = (sim, req) => {
  const g = find(sim, requireId(req.body));
  const name = str(req.body, 'name', { max: 63 }) ?? g.name;
  if (!name) throw invalid('name', name);
  assertNameFree(sim, name, g.id);
  const next: GroupRecord = {
    ...g,
    name,
    member_select: oneOf(req.body, 'member_select', SELECT) ?? g.member_select,
    member_ids: readMembers(sim, req.body) ?? g.member_ids,
    permissions: { ...g.permissions, ...readPermissions(req.body) },
  };
  sim.store.put(GROUP, g.id, next);
  return {};
};

export const remove: Handler = (sim, req) => {
  const g = find(sim, requireId(req.query));
  sim.store.del(GROUP, g.id);
  return {};
};
