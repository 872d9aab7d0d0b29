import type { RequestCtx } from './context.js';
import { contextFragment, filterFor, renderer, type DirectoryType } from './directory-query.js';
import { GraphHttpError, json, type Router, type SimRequest } from './http.js';
import { arrayPage, collectionPage } from './listing.js';
import { GROUP_DEFAULT_SELECT, type SimGroup } from './model.js';
import { contextUrl, notFound, parseTop, project } from './odata.js';
import { GROUP_READ, USER_READ, hasRole, requireRole } from './permissions.js';
import { USER_TYPE } from './users.js';

const GROUP_PROPS: readonly (keyof SimGroup)[] = GROUP_DEFAULT_SELECT;

export const GROUP_TYPE: DirectoryType = {
  typeName: 'microsoft.graph.group',
  odataType: '#microsoft.graph.group',
  known: new Set<string>([...GROUP_PROPS, 'members']),
  filterable: new Set<string>([
    'id',
    'displayName',
    'mail',
    'mailEnabled',
    'mailNickname',
    'securityEnabled',
    'groupTypes',
  ]),
  defaults: GROUP_DEFAULT_SELECT,
};

function findGroup(ctx: RequestCtx, id: string): SimGroup {
  const group = ctx.sim.tenant.groups.getLive(id);
  if (!group) throw notFound(id);
  return group;
}

/** A member as a directoryObject; without user read permission only `@odata.type` and `id` are filled (§3). */
function memberRenderer(req: SimRequest, ctx: RequestCtx): (id: string) => object {
  const select = req.query
    .get('$select')
    ?.split(',')
    .map((s) => s.trim());
  const canReadUsers = hasRole(ctx, USER_READ);
  return (id) => {
    const user = ctx.sim.tenant.users.get(id);
    const type = user ? USER_TYPE : GROUP_TYPE;
    const obj = user ?? ctx.sim.tenant.groups.get(id) ?? { id };
    const props = select ?? type.defaults;
    if (user && !canReadUsers) {
      return {
        '@odata.type': type.odataType,
        ...Object.fromEntries(props.map((p) => [p, p === 'id' ? id : null])),
      };
    }
    return { '@odata.type': type.odataType, ...project(obj, props) };
  };
}

function membersRoute(transitive: boolean, usersOnly: boolean) {
  return (req: SimRequest, { id = '' }: Record<string, string>, ctx: RequestCtx) => {
    requireRole(ctx, GROUP_READ);
    findGroup(ctx, id);
    const { tenant } = ctx.sim;
    const all = transitive ? tenant.transitiveMembersOf(id) : [...tenant.membersOf(id)];
    // Soft-deleted users keep their memberships but are not listed.
    const live = all.filter((m) => tenant.users.getLive(m) ?? tenant.groups.getLive(m));
    if (usersOnly && req.query.get('$count') === 'true' && req.headers['consistencylevel'] !== 'eventual') {
      throw new GraphHttpError(400, 'Request_BadRequest', '$count is not currently supported.');
    }
    return arrayPage(req, usersOnly ? live.filter((m) => tenant.users.get(m)) : live, {
      top: parseTop(req, 100),
      render: memberRenderer(req, ctx),
      contextFragment: usersOnly ? 'users' : 'directoryObjects',
    });
  };
}

export function registerGroups(router: Router<RequestCtx>): void {
  router
    .add('GET', '/groups', (req, _p, ctx) => {
      requireRole(ctx, GROUP_READ);
      const predicate = filterFor(req, GROUP_TYPE);
      return collectionPage(req, ctx.sim.tenant.groups, {
        top: parseTop(req, 100),
        render: renderer(req, GROUP_TYPE),
        contextFragment: contextFragment(req, 'groups'),
        ...(predicate ? { predicate } : {}),
      });
    })
    .add('GET', '/groups/{id}', (req, { id = '' }, ctx) => {
      requireRole(ctx, GROUP_READ);
      const group = findGroup(ctx, id);
      return json({
        '@odata.context': contextUrl(req, `${contextFragment(req, 'groups')}/$entity`),
        ...renderer(req, GROUP_TYPE)(group),
      });
    })
    .add('GET', '/groups/{id}/members', membersRoute(false, false))
    .add('GET', '/groups/{id}/members/microsoft.graph.user', membersRoute(false, true))
    .add('GET', '/groups/{id}/transitiveMembers', membersRoute(true, false))
    .add('GET', '/groups/{id}/transitiveMembers/microsoft.graph.user', membersRoute(true, true));
}
