import type { ContactFolder } from './contact-folder.js';
import type { RequestCtx } from './context.js';
import { GraphHttpError, json, type Router, type SimRequest, type SimResponse } from './http.js';
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
const FOLDER_PROPS = new Set<string>(['id', 'displayName', 'parentFolderId']);
const MAX_TOP = 999;

/**
 * Outlook contact delta state. Outlook tokens have no fixed lifetime (reference §2): they stop working when
 * the tenant's epoch or the mailbox's token generation (`expireContactDeltaTokens`) moves on.
 */
interface ContactDeltaState {
  k: 'contacts';
  e: number;
  g: number;
  u: string;
  f: string;
  /** The round's change window (s, upto]. */
  s: number;
  upto: number;
  init: boolean;
  /** Initial round: place of the last contact served; change round: index of the next changed id. */
  p: number;
  sel: string[] | null;
}

function syncStateNotFound(): GraphHttpError {
  return new GraphHttpError(
    410,
    'SyncStateNotFound',
    'The sync state generation is not found; generation=1.',
  );
}

function itemNotFound(): GraphHttpError {
  return new GraphHttpError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');
}

function outlook<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof TenantError && err.status === 404) throw itemNotFound();
    throw err;
  }
}

function mailboxOf(ctx: RequestCtx, idOrUpn: string): string {
  requireRole(ctx, CONTACTS_READ, true);
  return findUser(ctx, idOrUpn).id;
}

function folderOf(ctx: RequestCtx, userId: string, folderId?: string): ContactFolder {
  return outlook(() => ctx.sim.tenant.mailboxes.folder(userId, folderId));
}

/** An Outlook list page: `$top` (default: setting `contactPageSize`), `$skip` in the nextLink, `$select`. */
function outlookList<T extends object>(
  req: SimRequest,
  ctx: RequestCtx,
  items: readonly T[],
  props: ReadonlySet<string>,
  typeName: string,
  fragment: string,
): SimResponse {
  const select = parseSelect(req.query.get('$select'), props, typeName) ?? [...props];
  const fallback = ctx.sim.settings.contactPageSize;
  const top = Math.min(Number(req.query.get('$top') ?? fallback) || fallback, MAX_TOP);
  const skip = Number(req.query.get('$skip') ?? 0) || 0;
  return json({
    '@odata.context': contextUrl(req, fragment),
    ...(skip + top < items.length ? { '@odata.nextLink': selfLink(req, { $skip: String(skip + top) }) } : {}),
    value: items.slice(skip, skip + top).map((item) => project(item, select)),
  });
}

const listContacts = (req: SimRequest, ctx: RequestCtx, folder: ContactFolder) =>
  outlookList(req, ctx, folder.list(), CONTACT_PROPS, 'microsoft.graph.contact', 'contacts');

const listFolders = (req: SimRequest, ctx: RequestCtx, folders: readonly ContactFolder[]) =>
  outlookList(
    req,
    ctx,
    folders.map((f) => f.info),
    FOLDER_PROPS,
    'microsoft.graph.contactFolder',
    'contactFolders',
  );

function deltaState(
  req: SimRequest,
  ctx: RequestCtx,
  userId: string,
  folder: ContactFolder,
): ContactDeltaState {
  const { tenant } = ctx.sim;
  const raw = req.query.get('$deltatoken') ?? req.query.get('$skiptoken');
  if (!raw) {
    return {
      k: 'contacts',
      e: tenant.epoch,
      g: tenant.mailboxes.tokenGeneration(userId),
      u: userId,
      f: folder.info.id,
      s: 0,
      upto: tenant.sequence,
      init: true,
      p: 0,
      sel: parseSelect(req.query.get('$select'), CONTACT_PROPS, 'microsoft.graph.contact'),
    };
  }
  const state = decodeToken<ContactDeltaState>(raw);
  if (
    !state ||
    state.k !== 'contacts' ||
    state.u !== userId ||
    state.f !== folder.info.id ||
    state.e !== tenant.epoch ||
    state.g !== tenant.mailboxes.tokenGeneration(userId)
  ) {
    throw syncStateNotFound();
  }
  return req.query.has('$deltatoken') ? { ...state, upto: tenant.sequence, p: 0 } : state;
}

/** `Prefer: odata.maxpagesize=N`, capped by the setting `contactDeltaMaxPageSize` (reference §4). */
function deltaPageSize(req: SimRequest, ctx: RequestCtx): number {
  const cap = ctx.sim.settings.contactDeltaMaxPageSize;
  const asked = Number(/odata\.maxpagesize=(\d+)/i.exec(req.headers['prefer'] ?? '')?.[1] ?? cap);
  return Math.max(1, Math.min(asked, cap));
}

/** Per-folder contact delta: deleted contacts and contacts moved out come as `@removed` (reason deleted). */
function contactsDelta(req: SimRequest, { id = '', folderId = '' }: Record<string, string>, ctx: RequestCtx) {
  const userId = mailboxOf(ctx, id);
  const folder = folderOf(ctx, userId, folderId);
  const state = deltaState(req, ctx, userId, folder);
  const pageSize = deltaPageSize(req, ctx);
  const select = state.sel ?? [...CONTACT_PROPS];
  let value: object[];
  let next: ContactDeltaState | undefined;
  if (state.init) {
    const page = folder.placedAfter(state.p, pageSize);
    value = page.contacts.map((c) => project(c, select));
    next = page.more ? { ...state, p: page.last } : undefined;
  } else {
    const ids = folder.changedBetween(state.s, state.upto);
    value = ids.slice(state.p, state.p + pageSize).map((cid) => {
      const contact = folder.get(cid);
      return contact ? project(contact, select) : { id: cid, '@removed': { reason: 'deleted' } };
    });
    next = state.p + pageSize < ids.length ? { ...state, p: state.p + pageSize } : undefined;
  }
  const base = `${req.origin}${GRAPH_PREFIX}${req.path}?`;
  const link = next
    ? { '@odata.nextLink': base + buildQuery([['$skiptoken', encodeToken(next)]]) }
    : {
        '@odata.deltaLink':
          base + buildQuery([['$deltatoken', encodeToken({ ...state, init: false, s: state.upto, p: 0 })]]),
      };
  return json({ '@odata.context': contextUrl(req, 'contacts'), ...link, value });
}

export function registerContacts(router: Router<RequestCtx>): void {
  router
    .add('GET', '/users/{id}/contacts', (req, { id = '' }, ctx) =>
      listContacts(req, ctx, folderOf(ctx, mailboxOf(ctx, id))),
    )
    .add('GET', '/users/{id}/contactFolders', (req, { id = '' }, ctx) =>
      listFolders(req, ctx, ctx.sim.tenant.mailboxes.topLevelFolders(mailboxOf(ctx, id))),
    )
    .add(
      'GET',
      '/users/{id}/contactFolders/{folderId}/childFolders',
      (req, { id = '', folderId = '' }, ctx) => {
        const userId = mailboxOf(ctx, id);
        return listFolders(
          req,
          ctx,
          outlook(() => ctx.sim.tenant.mailboxes.childFolders(userId, folderId)),
        );
      },
    )
    .add(
      'GET',
      '/users/{id}/contactFolders/{folderId}/childFolders/{childId}/contacts',
      (req, { id = '', folderId = '', childId = '' }, ctx) => {
        const userId = mailboxOf(ctx, id);
        const child = folderOf(ctx, userId, childId);
        if (child.info.parentFolderId !== folderOf(ctx, userId, folderId).info.id) throw itemNotFound();
        return listContacts(req, ctx, child);
      },
    )
    .add('GET', '/users/{id}/contactFolders/{folderId}/contacts/delta', contactsDelta)
    .add('GET', '/users/{id}/contactFolders/{folderId}/contacts', (req, { id = '', folderId = '' }, ctx) =>
      listContacts(req, ctx, folderOf(ctx, mailboxOf(ctx, id), folderId)),
    );
}
