import type { RequestCtx } from './context.js';
import { contextFragment, filterFor, renderer, type DirectoryType } from './directory-query.js';
import { GraphHttpError, json, type Router } from './http.js';
import { collectionPage } from './listing.js';
import { USER_DEFAULT_SELECT, type SimUser } from './model.js';
import { contextUrl, notFound, parseTop } from './odata.js';
import { USER_READ, requireRole } from './permissions.js';

const USER_PROPS: (keyof SimUser)[] = [
  'id',
  'userPrincipalName',
  'displayName',
  'givenName',
  'surname',
  'mail',
  'mobilePhone',
  'businessPhones',
  'jobTitle',
  'department',
  'officeLocation',
  'preferredLanguage',
  'companyName',
  'accountEnabled',
  'userType',
  'employeeId',
  'otherMails',
  'proxyAddresses',
  'onPremisesExtensionAttributes',
  'createdDateTime',
  'deletedDateTime',
];

export const USER_TYPE: DirectoryType = {
  typeName: 'microsoft.graph.user',
  odataType: '#microsoft.graph.user',
  known: new Set<string>([...USER_PROPS, 'members', 'manager']),
  filterable: new Set<string>(USER_PROPS.filter((p) => p !== 'deletedDateTime' && p !== 'createdDateTime')),
  defaults: USER_DEFAULT_SELECT,
};

export function findUser(ctx: RequestCtx, idOrUpn: string): SimUser {
  const user = ctx.sim.tenant.users.getLive(idOrUpn) ?? ctx.sim.tenant.userByUpn(idOrUpn);
  if (!user) throw notFound(idOrUpn);
  return user;
}

export function registerUsers(router: Router<RequestCtx>): void {
  router
    .add('GET', '/users', (req, _p, ctx) => {
      requireRole(ctx, USER_READ);
      const predicate = filterFor(req, USER_TYPE);
      return collectionPage(req, ctx.sim.tenant.users, {
        top: parseTop(req, 100),
        render: renderer(req, USER_TYPE),
        contextFragment: contextFragment(req, 'users'),
        ...(predicate ? { predicate } : {}),
      });
    })
    .add('GET', '/users/$count', (req, _p, ctx) => {
      requireRole(ctx, USER_READ);
      if (req.headers['consistencylevel']?.toLowerCase() !== 'eventual') {
        throw new GraphHttpError(400, 'Request_BadRequest', '$count is not currently supported.');
      }
      const predicate = filterFor({ ...req, query: withCount(req.query) }, USER_TYPE) ?? (() => true);
      const count = ctx.sim.tenant.users.live().filter(predicate).length;
      return { status: 200, text: String(count) };
    })
    .add('GET', '/users/{id}', (req, { id = '' }, ctx) => {
      requireRole(ctx, USER_READ);
      const user = findUser(ctx, id);
      return json({
        '@odata.context': contextUrl(req, `${contextFragment(req, 'users')}/$entity`),
        ...renderer(req, USER_TYPE)(user),
      });
    });
}

/** `/users/$count` is itself an advanced query, so its `$filter` may use advanced operators. */
function withCount(query: URLSearchParams): URLSearchParams {
  const copy = new URLSearchParams(query);
  copy.set('$count', 'true');
  return copy;
}
