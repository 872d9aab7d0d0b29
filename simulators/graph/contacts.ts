import type { RequestCtx } from './context.js';
import { GraphHttpError, json, type Router, type SimRequest, type SimResponse } from './http.js';
import type { SimContact } from './model.js';
import {
  buildQuery,
  contextUrl,
  decodeToken,
  encodeToken,
  GRAPH_PREFIX,
  parseSelect,
  project,
  selfLink,
} from './odata.js';
import { CONTACTS_READ, requireRole } from './permissions.js';
import { TenantError } from './tenant.js';
import { findUser } from './users.js';

const CONTACT_PROPS = new Set<string>([
  'id',
  'displayName',
  'givenName',
  'surname',
  'companyName',
  'jobTitle',
  'department',
  'businessPhones',
  'homePhones',
  'mobilePhone',
  'emailAddresses',
  'parentFolderId',
  'createdDateTime',
  'lastModifiedDateTime',
  'changeKey',
]);
const DEFAULT_PAGE = 10;
const MAX_DELTA_PAGE = 200;

/** Outlook contact delta state; Outlook tokens have no fixed lifetime (reference §2), only the epoch. */
interface ContactDeltaState {
  k: 'contacts';
  e: number;
  u: string;
  f: string;
  s: number;
  upto: number;
  init: boolean;
  p: number;
  sel: string[] | null;
}

function outlook<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TenantError && err.status === 404) {
      throw new GraphHttpError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
    }
    throw err;
  }
}

function folderOf(ctx: RequestCtx, userId: string, folderId?: string) {
  const user = findUser(ctx, userId);
  return { user, folder: outlook(() => ctx.sim.tenant.folder(user.id, folderId)) };
}

function listContacts(req: SimRequest, ctx: RequestCtx, contacts: SimContact[]): SimResponse {
  const select = parseSelect(req.query.get('$select'), CONTACT_PROPS, 'microsoft.graph.contact') ?? [
    ...CONTACT_PROPS,
  ];
  const top = Math.min(Number(req.query.get('$top') ?? DEFAULT_PAGE) || DEFAULT_PAGE, 999);
  const skip = Number(req.query.get('$skip') ?? 0) || 0;
  const slice = contacts.slice(skip, skip + top);
  return json({
    '@odata.context': contextUrl(req, 'contacts'),
    ...(skip + top < contacts.length
      ? { '@odata.nextLink': selfLink(req, { $skip: String(skip + top) }) }
      : {}),
    value: slice.map((c) => project(c, select)),
  });
}

function contactsDelta(req: SimRequest, { id = '', folderId = '' }: Record<string, string>, ctx: RequestCtx) {
  requireRole(ctx, CONTACTS_READ, true);
  const { user, folder } = folderOf(ctx, id, folderId);
  const { tenant } = ctx.sim;
  const raw = req.query.get('$deltatoken') ?? req.query.get('$skiptoken');
  let state: ContactDeltaState;
  if (raw) {
    const decoded = decodeToken<ContactDeltaState>(raw);
    if (!decoded || decoded.k !== 'contacts' || decoded.f !== folder.info.id || decoded.e !== tenant.epoch) {
      throw new GraphHttpError(
        410,
        'SyncStateNotFound',
        'The sync state generation is not found; generation=1.',
      );
    }
    state = req.query.has('$deltatoken') ? { ...decoded, upto: tenant.sequence, p: 0 } : decoded;
  } else {
    state = {
      k: 'contacts',
      e: tenant.epoch,
      u: user.id,
      f: folder.info.id,
      s: 0,
      upto: tenant.sequence,
      init: true,
      p: 0,
      sel: parseSelect(req.query.get('$select'), CONTACT_PROPS, 'microsoft.graph.contact'),
    };
  }
  const pageSize = Math.min(
    Number(/odata\.maxpagesize=(\d+)/i.exec(req.headers['prefer'] ?? '')?.[1] ?? MAX_DELTA_PAGE),
    MAX_DELTA_PAGE,
  );
  const ids = state.init
    ? [...folder.contacts.keys()]
    : tenant.contactChangesBetween(folder, state.s, state.upto);
  const select = state.sel ?? [...CONTACT_PROPS];
  const value = ids.slice(state.p, state.p + pageSize).map((cid) => {
    const contact = folder.contacts.get(cid);
    return contact ? project(contact, select) : { id: cid, '@removed': { reason: 'deleted' } };
  });
  const base = `${req.origin}${GRAPH_PREFIX}${req.path}?`;
  const more = state.p + pageSize < ids.length;
  const link = more
    ? {
        '@odata.nextLink':
          base + buildQuery([['$skiptoken', encodeToken({ ...state, p: state.p + pageSize })]]),
      }
    : {
        '@odata.deltaLink':
          base + buildQuery([['$deltatoken', encodeToken({ ...state, init: false, s: state.upto, p: 0 })]]),
      };
  return json({ '@odata.context': contextUrl(req, 'contacts'), ...link, value });
}

export function registerContacts(router: Router<RequestCtx>): void {
  router
    .add('GET', '/users/{id}/contacts', (req, { id = '' }, ctx) => {
      requireRole(ctx, CONTACTS_READ, true);
      return listContacts(req, ctx, [...folderOf(ctx, id).folder.contacts.values()]);
    })
    .add('GET', '/users/{id}/contactFolders', (req, { id = '' }, ctx) => {
      requireRole(ctx, CONTACTS_READ, true);
      const user = findUser(ctx, id);
      const folders = ctx.sim.tenant.contactFolders(user.id);
      return json({ '@odata.context': contextUrl(req, 'contactFolders'), value: folders });
    })
    .add('GET', '/users/{id}/contactFolders/{folderId}/contacts/delta', contactsDelta)
    .add('GET', '/users/{id}/contactFolders/{folderId}/contacts', (req, { id = '', folderId = '' }, ctx) => {
      requireRole(ctx, CONTACTS_READ, true);
      return listContacts(req, ctx, [...folderOf(ctx, id, folderId).folder.contacts.values()]);
    });
}
