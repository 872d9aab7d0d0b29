import { ApiError, invalid } from './envelope.js';
import { int, requireId, str } from './fields.js';
import type { Handler, SimContext } from './context.js';
import { extensions, type ExtensionRecord } from './extensions.js';

/** Organizations: a tree under the non-editable root id 1; membership lives on the extension. */
export interface OrganizationRecord {
  id: number;
  name: string;
  parent_id: number;
  order: number;
}

const ORG = 'organizations';
export const ROOT_ORG_ID = 1;

export function ensureRoot(sim: SimContext): void {
  if (!sim.store.get(ORG, ROOT_ORG_ID)) {
    sim.store.put(ORG, ROOT_ORG_ID, { id: ROOT_ORG_ID, name: 'Company', parent_id: 0, order: 0 });
    sim.store.setMeta(`nextId:${ORG}`, ROOT_ORG_ID + 1);
  }
}

export const organizations = (sim: SimContext) => sim.store.all<OrganizationRecord>(ORG);

function find(sim: SimContext, id: number): OrganizationRecord {
  const org = sim.store.get<OrganizationRecord>(ORG, id);
  if (!org)
    throw new ApiError(sim.settings.unknownIdErrcode, { invalid_param_list: [{ field: 'id', value: id }] });
  return org;
}

function depth(sim: SimContext, id: number): number {
  let d = 0;
  for (let org = sim.store.get<OrganizationRecord>(ORG, id); org && org.parent_id; d++) {
    org = sim.store.get<OrganizationRecord>(ORG, org.parent_id);
  }
  return d;
}

function assertEnabled(sim: SimContext): void {
  if (!sim.settings.organizationManagement) throw new ApiError(70120);
}

function assertSiblingNameFree(sim: SimContext, name: string, parentId: number, selfId: number): void {
  const clash = organizations(sim).find(
    (o) => o.parent_id === parentId && o.name === name && o.id !== selfId,
  );
  if (clash) {
    throw new ApiError(40003, {
      duplicate_field_list: [
        { field: 'name', value: name, external_source: 'organization', external_source_name: name },
      ],
    });
  }
}

const members = (exts: ExtensionRecord[], orgId: number) =>
  exts.filter((e) => e.organization_ids.includes(orgId)).map((e) => e.id);

export const list: Handler = (sim, req) => {
  assertEnabled(sim);
  const isAll = Number(req.query.get('is_all') ?? '0');
  const all = organizations(sim).sort((a, b) => a.order - b.order || a.id - b.id);
  const exts = extensions(sim);
  const node = (o: OrganizationRecord): Record<string, unknown> => {
    const n: Record<string, unknown> = { id: o.id, name: o.name, parent_id: o.parent_id, order: o.order };
    if (isAll !== 2) n.ext_number = members(exts, o.id).length;
    if (isAll === 1) n.ext_list = members(exts, o.id);
    n.children = all.filter((c) => c.parent_id === o.id).map(node);
    return n;
  };
  return { total_number: all.length, organization_list: all.filter((o) => o.parent_id === 0).map(node) };
};

export const get: Handler = (sim, req) => {
  assertEnabled(sim);
  const org = find(sim, requireId(req.query));
  return { data: { ...org, ext_list: members(extensions(sim), org.id) } };
};

export const create: Handler = (sim, req) => {
  assertEnabled(sim);
  const name = str(req.body, 'name', { required: true, max: 127 }) as string;
  const parentId = int(req.body, 'parent_id') ?? ROOT_ORG_ID;
  if (!sim.store.get(ORG, parentId)) throw invalid('parent_id', parentId);
  assertSiblingNameFree(sim, name, parentId, 0);
  if (depth(sim, parentId) + 1 > sim.settings.maxOrganizationDepth) throw new ApiError(60002);
  if (organizations(sim).length >= sim.settings.maxOrganizations) throw new ApiError(60002);
  const id = sim.store.nextId(ORG);
  const order = organizations(sim).filter((o) => o.parent_id === parentId).length;
  sim.store.put(ORG, id, { id, name, parent_id: parentId, order });
  return { id };
};

export const update: Handler = (sim, req) => {
  assertEnabled(sim);
  const org = find(sim, requireId(req.body));
  if (org.id === ROOT_ORG_ID) throw invalid('id', org.id);
  const name = str(req.body, 'name', { max: 127 }) ?? org.name;
  if (!name) throw invalid('name', name);
  assertSiblingNameFree(sim, name, org.parent_id, org.id);
  sim.store.put(ORG, org.id, { ...org, name });
  return {};
};

export const remove: Handler = (sim, req) => {
  assertEnabled(sim);
  const org = find(sim, requireId(req.query));
  if (org.id === ROOT_ORG_ID) throw invalid('id', org.id);
  if (organizations(sim).some((o) => o.parent_id === org.id)) throw invalid('id', org.id);
  for (const e of extensions(sim)) {
    if (e.organization_ids.includes(org.id)) {
      sim.store.put('extensions', e.id, {
        ...e,
        organization_ids: e.organization_ids.filter((o) => o !== org.id),
      });
    }
  }
  sim.store.del(ORG, org.id);
  return {};
};
