import type { RequestCtx } from './context.js';
import type { DirectoryType } from './directory-query.js';
import { GROUP_TYPE } from './groups.js';
import { GraphHttpError, json, type Router, type SimRequest, type SimResponse } from './http.js';
import {
  buildQuery,
  contextUrl,
  decodeToken,
  encodeToken,
  GRAPH_PREFIX,
  parseSelect,
  project,
} from './odata.js';
import { GROUP_READ, USER_READ, requireRole } from './permissions.js';
import type { AggregatedChange, ObjectKind } from './tenant.js';
import { USER_TYPE } from './users.js';

/**
 * Directory delta (reference §2). A token is the round's state: the change-log window (since, upto],
 * the resume position, the `$select` and id filter of the initial request, and when it was issued.
 */
interface DeltaState {
  k: ObjectKind;
  e: number;
  t: number;
  s: number;
  u: number;
  /** Initial round: position is an ordinal; change round: an index into the aggregated changes. */
  init: boolean;
  p: number;
  /** Members already emitted for the object at `p`. */
  m: number;
  sel: string[] | null;
  ids: string[] | null;
}

interface Item {
  id: string;
  /** Position to resume at this item. */
  pos: number;
  change: AggregatedChange | null;
}

const MAX_FILTER_IDS = 50;

function syncStateNotFound(): GraphHttpError {
  return new GraphHttpError(
    400,
    'syncStateNotFound',
    'The sync state generation is not found. The delta token is expired and data must be synchronized again.',
  );
}

function parseIdFilter(raw: string | null): string[] | null {
  if (raw === null) return null;
  const clauses = raw.split(/\s+or\s+/i).map((c) => /^\s*id\s+eq\s+'([^']+)'\s*$/i.exec(c)?.[1]);
  if (clauses.some((c) => c === undefined) || clauses.length > MAX_FILTER_IDS) {
    throw new GraphHttpError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
  }
  return clauses as string[];
}

function initialState(req: SimRequest, ctx: RequestCtx, kind: ObjectKind, type: DirectoryType): DeltaState {
  for (const option of ['$expand', '$top', '$orderby']) {
    if (req.query.has(option))
      throw new GraphHttpError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
  }
  const { tenant } = ctx.sim;
  return {
    k: kind,
    e: tenant.epoch,
    t: Date.now(),
    s: 0,
    u: tenant.sequence,
    init: true,
    p: 0,
    m: 0,
    sel: parseSelect(req.query.get('$select'), type.known, type.typeName),
    ids: parseIdFilter(req.query.get('$filter')),
  };
}

function decodeState(raw: string, kind: ObjectKind, ctx: RequestCtx, checkTtl: boolean): DeltaState {
  const state = decodeToken<DeltaState>(raw);
  if (!state || state.k !== kind) throw new GraphHttpError(400, 'Request_BadRequest', 'Invalid delta token.');
  if (state.e !== ctx.sim.tenant.epoch) throw syncStateNotFound();
  if (checkTtl && Date.now() - state.t > ctx.sim.settings.deltaTokenTtlMs) throw syncStateNotFound();
  return state;
}

function* items(ctx: RequestCtx, state: DeltaState): Generator<Item> {
  const { tenant } = ctx.sim;
  const filter = state.ids ? new Set(state.ids) : null;
  if (state.init) {
    const collection = state.k === 'user' ? tenant.users : tenant.groups;
    const live = collection.live();
    for (let i = collection.liveIndexAfter(state.p - 1); i < live.length; i++) {
      const obj = live[i];
      if (!obj || (filter && !filter.has(obj.id))) continue;
      yield { id: obj.id, pos: collection.ordinalOf(obj.id) ?? 0, change: null };
    }
    return;
  }
  const changes = tenant.changesBetween(state.k, state.s, state.u);
  for (let i = state.p; i < changes.length; i++) {
    const change = changes[i] as AggregatedChange;
    if (!filter || filter.has(change.id)) yield { id: change.id, pos: i, change };
  }
}

/** Whether an aggregated change touches what this round tracks (a change to an unselected property does not surface). */
function surfaces(change: AggregatedChange | null, select: string[] | null, tracksMembers: boolean): boolean {
  if (!change || change.props === null || select === null) return true;
  for (const p of change.props) if (select.includes(p) || (p === 'members' && tracksMembers)) return true;
  return false;
}

interface Rendered {
  obj: Record<string, unknown>;
  /** Members still to emit after this slice, if the object must continue on the next page. */
  remaining: number;
  cost: number;
}

function renderItem(
  ctx: RequestCtx,
  state: DeltaState,
  item: Item,
  memberOffset: number,
  budget: number,
  minimal: boolean,
): Rendered | undefined {
  const { tenant, settings } = ctx.sim;
  const type = state.k === 'user' ? USER_TYPE : GROUP_TYPE;
  const tracksMembers = state.k === 'group' && (state.sel === null || state.sel.includes('members'));
  if (!surfaces(item.change, state.sel, tracksMembers)) return undefined;
  const collection = state.k === 'user' ? tenant.users : tenant.groups;
  const obj = collection.get(item.id);
  if (!obj) return { obj: { id: item.id, '@removed': { reason: 'deleted' } }, remaining: 0, cost: 1 };
  if (obj.deletedDateTime !== null)
    return { obj: { id: item.id, '@removed': { reason: 'changed' } }, remaining: 0, cost: 1 };
  const select = (state.sel ?? type.defaults).filter((p) => p !== 'members');
  const changed = item.change?.props;
  const props = minimal && changed ? select.filter((p) => p === 'id' || changed.has(p)) : select;
  const out = project(obj, props);
  if (!tracksMembers) return { obj: out, remaining: 0, cost: 1 };
  const memberIds = item.change ? [...item.change.members] : [...tenant.membersOf(item.id)];
  if (memberIds.length === 0) return { obj: out, remaining: 0, cost: 1 };
  const take = Math.max(1, Math.min(settings.memberSliceSize, budget - 1, memberIds.length - memberOffset));
  out['members@delta'] = memberIds.slice(memberOffset, memberOffset + take).map((m) => ({
    '@odata.type': tenant.groups.get(m) ? GROUP_TYPE.odataType : USER_TYPE.odataType,
    id: m,
    ...(tenant.isMember(item.id, m) ? {} : { '@removed': { reason: 'deleted' } }),
  }));
  return { obj: out, remaining: memberIds.length - memberOffset - take, cost: 1 + take };
}

function deltaLinkFor(
  req: SimRequest,
  path: string,
  state: DeltaState | null,
  param: '$skiptoken' | '$deltatoken',
) {
  const token = state ? encodeToken(state) : '';
  return `${req.origin}${GRAPH_PREFIX}${path}?${buildQuery([[param, token]])}`;
}

function serveRound(req: SimRequest, ctx: RequestCtx, path: string, state: DeltaState): SimResponse {
  const minimal = /return=minimal/i.test(req.headers['prefer'] ?? '');
  const value: Record<string, unknown>[] = [];
  let budget = ctx.sim.settings.deltaPageSize;
  let memberOffset = state.m;
  for (const item of items(ctx, state)) {
    if (budget <= 0) {
      const next = { ...state, p: item.pos, m: memberOffset };
      return page(req, state, value, deltaLinkFor(req, path, next, '$skiptoken'), '@odata.nextLink');
    }
    const rendered = renderItem(ctx, state, item, memberOffset, budget, minimal);
    if (rendered) {
      value.push(rendered.obj);
      budget -= rendered.cost;
      if (rendered.remaining > 0) {
        const next = { ...state, p: item.pos, m: memberOffset + rendered.cost - 1 };
        return page(req, state, value, deltaLinkFor(req, path, next, '$skiptoken'), '@odata.nextLink');
      }
    }
    memberOffset = 0;
  }
  const done: DeltaState = { ...state, init: false, s: state.u, u: state.u, p: 0, m: 0, t: Date.now() };
  return page(req, state, value, deltaLinkFor(req, path, done, '$deltatoken'), '@odata.deltaLink');
}

function page(req: SimRequest, state: DeltaState, value: object[], link: string, rel: string): SimResponse {
  const set = state.k === 'user' ? 'users' : 'groups';
  return json({ '@odata.context': contextUrl(req, set), [rel]: link, value });
}

function deltaRoute(kind: ObjectKind, path: string, roles: readonly string[], type: DirectoryType) {
  return (req: SimRequest, _p: Record<string, string>, ctx: RequestCtx): SimResponse => {
    requireRole(ctx, roles);
    const { tenant, faults } = ctx.sim;
    const deltaToken = req.query.get('$deltatoken');
    const skipToken = req.query.get('$skiptoken');
    if (deltaToken === 'latest') {
      const state = { ...initialState(req, ctx, kind, type), init: false, s: tenant.sequence };
      return page(req, state, [], deltaLinkFor(req, path, state, '$deltatoken'), '@odata.deltaLink');
    }
    if (deltaToken) {
      const state = decodeState(deltaToken, kind, ctx, true);
      if (faults.takeDeltaReset()) {
        const initial = state.sel ? buildQuery([['$select', state.sel.join(',')]]) : '';
        throw new GraphHttpError(
          410,
          'resyncRequired',
          'The delta token is no longer valid, and the app must reset the sync state.',
          {
            location: `${req.origin}${GRAPH_PREFIX}${path}?${initial}`,
          },
        );
      }
      return serveRound(req, ctx, path, { ...state, u: tenant.sequence, p: 0, m: 0 });
    }
    if (skipToken) return serveRound(req, ctx, path, decodeState(skipToken, kind, ctx, false));
    return serveRound(req, ctx, path, initialState(req, ctx, kind, type));
  };
}

export function registerDelta(router: Router<RequestCtx>): void {
  router
    .add('GET', '/users/delta', deltaRoute('user', '/users/delta', USER_READ, USER_TYPE))
    .add('GET', '/groups/delta', deltaRoute('group', '/groups/delta', GROUP_READ, GROUP_TYPE));
}
