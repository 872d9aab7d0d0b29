import type { Client } from '@microsoft/microsoft-graph-client';
import { ApplicationFailure } from '@temporalio/common';
import { createGraphClient } from './client.js';
import { GraphErrorType, toApplicationFailure } from './errors.js';
import {
  CONTACT_FIELDS,
  GROUP_FIELDS,
  USER_FIELDS,
  toContactDelta,
  toEntraGroup,
  toEntraUser,
  toGroupDelta,
  toMemberRef,
  toUserDelta,
} from './mapping.js';
import type { GraphSourceOptions } from './options.js';
import type {
  ContactDelta,
  ContactFolder,
  CreateSubscriptionInput,
  DeltaPage,
  EntraGroup,
  EntraUser,
  GraphSubscription,
  GroupDelta,
  MemberRef,
  Page,
  Presence,
  UserDelta,
} from './types.js';

/** Cursor for `deltaPage`: start a round from now (only a deltaLink, no data). */
export const DELTA_LATEST = 'latest';
export const MAX_PRESENCE_IDS = 650;
const PAGE_SIZE = 999;
const CONTACT_DELTA_PAGE_SIZE = 200;

const PERMISSION = {
  users: 'User.Read.All',
  groups: 'GroupMember.Read.All',
  contacts: 'Contacts.Read',
  presence: 'Presence.Read.All',
} as const;

/** Change notifications for directory resources: `created` is reported as `updated` (reference §6). */
const SUBSCRIPTION_CHANGE_TYPE = 'updated,deleted';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

function toSubscription(raw: Partial<GraphSubscription> & { id: string }): GraphSubscription {
  return {
    id: raw.id,
    resource: raw.resource ?? '',
    changeType: raw.changeType ?? '',
    notificationUrl: raw.notificationUrl ?? '',
    expirationDateTime: raw.expirationDateTime ?? '',
  };
}

interface Collection<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

interface RequestSpec {
  url: string;
  permission: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Redacted from error messages besides the client secret (e.g. a clientState). */
  secrets?: string[];
}

function query(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`)
    .join('&');
}

function operationName(method: string, url: string): string {
  const path = url.startsWith('https://') ? new URL(url).pathname : url.split('?')[0];
  return `${method} ${path}`;
}

async function* pages<T>(read: (cursor?: string) => Promise<Page<T>>): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    yield page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

export interface UserQuery {
  cursor?: string;
  /** OData `$filter`, e.g. `accountEnabled eq true`. */
  filter?: string;
  /** Advanced query (ne, not, endsWith, extension attributes): sends ConsistencyLevel + $count. */
  advanced?: boolean;
}

/**
 * Reads Entra ID through Microsoft Graph. Build one per worker process and share it. Every failure is
 * a Temporal ApplicationFailure typed with GraphErrorType; messages never contain secrets or tokens.
 */
export class GraphSource {
  private readonly secrets: string[];

  constructor(
    options: GraphSourceOptions,
    private readonly client: Client = createGraphClient(options),
  ) {
    this.secrets = options.auth.kind === 'secret' ? [options.auth.clientSecret] : [];
  }

  // ---- users ----

  async readUsersPage(q: UserQuery = {}): Promise<Page<EntraUser>> {
    const url =
      q.cursor ??
      `/users?${query({ $select: USER_FIELDS.join(','), $top: String(PAGE_SIZE), $filter: q.filter, $count: q.advanced ? 'true' : undefined })}`;
    const res = await this.send<Collection<Parameters<typeof toEntraUser>[0]>>('GET', {
      url,
      permission: PERMISSION.users,
      ...(q.advanced ? { headers: { ConsistencyLevel: 'eventual' } } : {}),
    });
    return withNext((res.value ?? []).map(toEntraUser), res);
  }

  users(q: Omit<UserQuery, 'cursor'> = {}): AsyncGenerator<EntraUser[]> {
    return pages((cursor) => this.readUsersPage({ ...q, ...(cursor ? { cursor } : {}) }));
  }

  async getUser(idOrUpn: string): Promise<EntraUser> {
    const url = `/users/${encodeURIComponent(idOrUpn)}?${query({ $select: USER_FIELDS.join(',') })}`;
    return toEntraUser(await this.send('GET', { url, permission: PERMISSION.users }));
  }

  // ---- groups ----

  async readGroupsPage(q: { cursor?: string; filter?: string } = {}): Promise<Page<EntraGroup>> {
    const url =
      q.cursor ??
      `/groups?${query({ $select: GROUP_FIELDS.join(','), $top: String(PAGE_SIZE), $filter: q.filter })}`;
    const res = await this.send<Collection<Parameters<typeof toEntraGroup>[0]>>('GET', {
      url,
      permission: PERMISSION.groups,
    });
    return withNext((res.value ?? []).map(toEntraGroup), res);
  }

  groups(q: { filter?: string } = {}): AsyncGenerator<EntraGroup[]> {
    return pages((cursor) => this.readGroupsPage({ ...q, ...(cursor ? { cursor } : {}) }));
  }

  /** Direct members, or with `transitive` the flattened nested membership (groups included). */
  async readGroupMembersPage(
    groupId: string,
    q: { cursor?: string; transitive?: boolean } = {},
  ): Promise<Page<MemberRef>> {
    const relation = q.transitive ? 'transitiveMembers' : 'members';
    const url =
      q.cursor ??
      `/groups/${encodeURIComponent(groupId)}/${relation}?${query({ $select: 'id', $top: String(PAGE_SIZE) })}`;
    const res = await this.send<Collection<Parameters<typeof toMemberRef>[0]>>('GET', {
      url,
      permission: PERMISSION.groups,
    });
    return withNext((res.value ?? []).map(toMemberRef), res);
  }

  groupMembers(groupId: string, q: { transitive?: boolean } = {}): AsyncGenerator<MemberRef[]> {
    return pages((cursor) => this.readGroupMembersPage(groupId, { ...q, ...(cursor ? { cursor } : {}) }));
  }

  // ---- delta ----

  /**
   * One page of a delta round. No cursor = initial full round; DELTA_LATEST = start from now; otherwise
   * a nextCursor or a stored deltaLink. An expired/reset token fails with GraphErrorType.DeltaTokenExpired.
   */
  deltaPage(kind: 'users', cursor?: string): Promise<DeltaPage<UserDelta>>;
  deltaPage(kind: 'groups', cursor?: string): Promise<DeltaPage<GroupDelta>>;
  async deltaPage(
    kind: 'users' | 'groups',
    cursor?: string,
  ): Promise<DeltaPage<UserDelta> | DeltaPage<GroupDelta>> {
    const select = kind === 'users' ? USER_FIELDS.join(',') : [...GROUP_FIELDS, 'members'].join(',');
    const url =
      cursor === undefined || cursor === DELTA_LATEST
        ? `/${kind}/delta?${query({ $select: select, $deltatoken: cursor })}`
        : cursor;
    const permission = kind === 'users' ? PERMISSION.users : PERMISSION.groups;
    const res = await this.send<Collection<Record<string, unknown> & { id: string }>>('GET', {
      url,
      permission,
    });
    const changes = (res.value ?? []).map((raw) => (kind === 'users' ? toUserDelta(raw) : toGroupDelta(raw)));
    return withDeltaLinks(changes, res) as DeltaPage<UserDelta> | DeltaPage<GroupDelta>;
  }

  deltaRound(kind: 'users', cursor?: string): AsyncGenerator<DeltaPage<UserDelta>>;
  deltaRound(kind: 'groups', cursor?: string): AsyncGenerator<DeltaPage<GroupDelta>>;
  async *deltaRound(
    kind: 'users' | 'groups',
    cursor?: string,
  ): AsyncGenerator<DeltaPage<UserDelta | GroupDelta>> {
    let next = cursor;
    for (;;) {
      const page: DeltaPage<UserDelta | GroupDelta> =
        kind === 'users' ? await this.deltaPage('users', next) : await this.deltaPage('groups', next);
      yield page;
      if (!page.nextCursor) return;
      next = page.nextCursor;
    }
  }

  // ---- contacts ----

  async listContactFolders(mailbox: string): Promise<ContactFolder[]> {
    const folders: ContactFolder[] = [];
    let url: string | undefined =
      `/users/${encodeURIComponent(mailbox)}/contactFolders?${query({ $select: 'id,displayName', $top: String(PAGE_SIZE) })}`;
    while (url) {
      const res: Collection<{ id?: string; displayName?: string }> = await this.send('GET', {
        url,
        permission: PERMISSION.contacts,
      });
      for (const f of res.value ?? []) folders.push({ id: f.id ?? '', displayName: f.displayName ?? '' });
      url = res['@odata.nextLink'];
    }
    return folders;
  }

  /** Outlook delta is per folder; tokens may vanish at any time (→ DeltaTokenExpired). */
  async contactsDeltaPage(
    mailbox: string,
    folderId: string,
    cursor?: string,
  ): Promise<DeltaPage<ContactDelta>> {
    const url =
      cursor ??
      `/users/${encodeURIComponent(mailbox)}/contactFolders/${encodeURIComponent(folderId)}/contacts/delta?${query({ $select: CONTACT_FIELDS.join(',') })}`;
    const res = await this.send<Collection<Parameters<typeof toContactDelta>[0]>>('GET', {
      url,
      permission: PERMISSION.contacts,
      headers: { Prefer: `odata.maxpagesize=${CONTACT_DELTA_PAGE_SIZE}` },
    });
    return withDeltaLinks((res.value ?? []).map(toContactDelta), res);
  }

  // ---- presence ----

  async getPresences(ids: readonly string[]): Promise<Presence[]> {
    if (ids.length > MAX_PRESENCE_IDS) {
      throw ApplicationFailure.nonRetryable(
        `getPresencesByUserId takes at most ${MAX_PRESENCE_IDS} ids, got ${ids.length}`,
        GraphErrorType.BadRequest,
      );
    }
    if (ids.length === 0) return [];
    const res = await this.send<Collection<{ id?: string; availability?: string; activity?: string }>>(
      'POST',
      {
        url: '/communications/getPresencesByUserId',
        permission: PERMISSION.presence,
        body: { ids },
      },
    );
    return (res.value ?? []).map((p) => ({
      id: p.id ?? '',
      availability: p.availability ?? 'PresenceUnknown',
      activity: p.activity ?? 'PresenceUnknown',
    }));
  }

  // ---- change notifications ----

  /**
   * Subscribes to changes of all users or all groups (`updated,deleted`). Graph first sends the validation
   * handshake to the notification URL (and the lifecycle URL), so the receiver must already listen.
   */
  async createSubscription(input: CreateSubscriptionInput): Promise<GraphSubscription> {
    const res = await this.send<GraphSubscription>('POST', {
      url: '/subscriptions',
      permission: PERMISSION[input.resource],
      body: {
        changeType: SUBSCRIPTION_CHANGE_TYPE,
        resource: input.resource,
        notificationUrl: input.notificationUrl,
        ...(input.lifecycleNotificationUrl
          ? { lifecycleNotificationUrl: input.lifecycleNotificationUrl }
          : {}),
        clientState: input.clientState,
        expirationDateTime: input.expirationDateTime,
      },
      secrets: [input.clientState],
    });
    return toSubscription(res);
  }

  /** The subscriptions this app holds in the tenant. */
  async listSubscriptions(): Promise<GraphSubscription[]> {
    const out: GraphSubscription[] = [];
    let url: string | undefined = '/subscriptions';
    while (url) {
      const res: Collection<GraphSubscription> = await this.send('GET', {
        url,
        permission: `${PERMISSION.users} or ${PERMISSION.groups}`,
      });
      out.push(...(res.value ?? []).map(toSubscription));
      url = res['@odata.nextLink'];
    }
    return out;
  }

  /** Extends a subscription (also what a `reauthorizationRequired` asks for); 404 → GraphErrorType.NotFound. */
  async renewSubscription(id: string, expirationDateTime: string): Promise<GraphSubscription> {
    const res = await this.send<GraphSubscription>('PATCH', {
      url: `/subscriptions/${encodeURIComponent(id)}`,
      permission: `${PERMISSION.users} or ${PERMISSION.groups}`,
      body: { expirationDateTime },
    });
    return toSubscription(res);
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.send('DELETE', {
      url: `/subscriptions/${encodeURIComponent(id)}`,
      permission: `${PERMISSION.users} or ${PERMISSION.groups}`,
    });
  }

  private async send<T>(method: Method, spec: RequestSpec): Promise<T> {
    try {
      let request = this.client.api(spec.url);
      for (const [name, value] of Object.entries(spec.headers ?? {})) request = request.header(name, value);
      const call =
        method === 'GET'
          ? request.get()
          : method === 'POST'
            ? request.post(spec.body)
            : method === 'PATCH'
              ? request.patch(spec.body)
              : request.delete();
      return (await call) as T;
    } catch (err) {
      throw toApplicationFailure(err, {
        operation: operationName(method, spec.url),
        permission: spec.permission,
        secrets: [...this.secrets, ...(spec.secrets ?? [])],
      });
    }
  }
}

function withNext<T>(items: T[], res: Collection<unknown>): Page<T> {
  const next = res['@odata.nextLink'];
  return next ? { items, nextCursor: next } : { items };
}

function withDeltaLinks<C>(changes: C[], res: Collection<unknown>): DeltaPage<C> {
  const next = res['@odata.nextLink'];
  const delta = res['@odata.deltaLink'];
  return { changes, ...(next ? { nextCursor: next } : {}), ...(delta ? { deltaLink: delta } : {}) };
}
