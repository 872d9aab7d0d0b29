import { connectGraph } from './graph-client.js';
import { GraphContacts } from './graph-contacts.js';
import {
  GROUP_FIELDS,
  USER_FIELDS,
  toEntraGroup,
  toEntraUser,
  toGroupDelta,
  toMemberRef,
  toUserDelta,
} from './graph-mapping.js';
import type { GraphSourceOptions } from './graph-options.js';
import { GraphPresence } from './graph-presence.js';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  GraphRequests,
  PAGE_SIZE,
  pages,
  query,
  withDeltaLinks,
  withNext,
  type Collection,
  type RequestSpec,
} from './graph-requests.js';
import type {
  CreateSubscriptionInput,
  DeltaPage,
  EntraGroup,
  EntraUser,
  GraphSubscription,
  GroupDelta,
  MemberRef,
  Page,
  UserDelta,
} from './graph-types.js';

/** Cursor for `deltaPage`: start a round from now (only a deltaLink, no data). */
export const DELTA_LATEST = 'latest';

const PERMISSION = { users: 'User.Read.All', groups: 'GroupMember.Read.All' } as const;
/** Subscribing to groups needs more than reading their members ("Create subscription" permissions). */
const SUBSCRIBE_PERMISSION = { users: 'User.Read.All', groups: 'Group.Read.All' } as const;

/** Change notifications for directory resources: Graph reports `created` as `updated`. */
const SUBSCRIPTION_CHANGE_TYPE = 'updated,deleted';

function toSubscription(raw: Partial<GraphSubscription> & { id: string }): GraphSubscription {
  return {
    id: raw.id,
    resource: raw.resource ?? '',
    changeType: raw.changeType ?? '',
    notificationUrl: raw.notificationUrl ?? '',
    expirationDateTime: raw.expirationDateTime ?? '',
  };
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
 * a Temporal ApplicationFailure typed with GraphFailure; messages never contain secrets or tokens.
 */
export class GraphSource {
  private readonly requests: GraphRequests;
  /** Outlook contacts, for the contacts capability (next). */
  readonly contacts: GraphContacts;
  /** Teams presence, for the presence capability (next). */
  readonly presence: GraphPresence;

  constructor(options: GraphSourceOptions) {
    const { client, tokens } = connectGraph(options);
    this.requests = new GraphRequests(
      client,
      tokens,
      options.auth.kind === 'secret' ? [options.auth.clientSecret] : [],
      {
        timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    this.contacts = new GraphContacts(this.requests);
    this.presence = new GraphPresence(this.requests);
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

  // ---- delta ----

  /**
   * One page of a delta round. No cursor = initial full round; DELTA_LATEST = start from now; otherwise
   * a nextCursor or a stored deltaLink. An expired/reset token fails with GraphFailure.DeltaTokenExpired.
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

  // ---- change notifications ----

  /**
   * Subscribes to changes of all users or all groups (`updated,deleted`). Graph first sends the validation
   * handshake to the notification URL (and the lifecycle URL), so the receiver must already listen.
   */
  async createSubscription(input: CreateSubscriptionInput): Promise<GraphSubscription> {
    const res = await this.send<GraphSubscription>('POST', {
      url: '/subscriptions',
      permission: SUBSCRIBE_PERMISSION[input.resource],
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
    const readPage = async (cursor?: string) => {
      const res = await this.send<Collection<GraphSubscription>>('GET', {
        url: cursor ?? '/subscriptions',
        permission: `${PERMISSION.users} or ${PERMISSION.groups}`,
      });
      return withNext((res.value ?? []).map(toSubscription), res);
    };
    for await (const page of pages(readPage)) out.push(...page);
    return out;
  }

  /** Extends a subscription (also what a `reauthorizationRequired` asks for); 404 → GraphFailure.NotFound. */
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

  private send<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', spec: RequestSpec): Promise<T> {
    return this.requests.send<T>(method, spec);
  }
}
