import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Caller, SimContext } from './context.js';
import { GraphHttpError } from './http.js';
import { CONTACTS_READ, GROUP_READ, USER_READ } from './permissions.js';
import { TenantError, type TenantEvent } from './tenant.js';

export interface Subscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  clientState: string | null;
  expirationDateTime: string;
  applicationId: string;
  creatorId: string;
  includeResourceData: boolean;
  latestSupportedTlsVersion: string;
}

/** Graph lifecycle notifications (reference §6), sent to a subscription's `lifecycleNotificationUrl`. */
export const LIFECYCLE_EVENTS = ['subscriptionRemoved', 'reauthorizationRequired', 'missed'] as const;
export type LifecycleEvent = (typeof LIFECYCLE_EVENTS)[number];

export interface NotificationStats {
  validations: number;
  delivered: number;
  failed: number;
  dropped: number;
}

interface ResourceRule {
  pattern: RegExp;
  roles: readonly string[];
  maxMinutes: number;
  matches: (m: RegExpExecArray, e: TenantEvent) => boolean;
}

const DIRECTORY_MAX_MINUTES = 41760;
const OUTLOOK_MAX_MINUTES = 4230;
const QUOTA_PER_APP = 100;
const VALIDATION_TIMEOUT_MS = 10_000;
const DELIVERY_TIMEOUT_MS = 30_000;
const RETRY_DELAYS_MS = [500, 2000];

/**
 * "Create subscription" lists Group.Read.All as the least privileged application permission for groups:
 * GroupMember.Read.All, enough to read groups and members, is not enough to subscribe to them.
 */
const GROUP_SUBSCRIBE = GROUP_READ.filter((role) => role !== 'GroupMember.Read.All');

const RESOURCES: ResourceRule[] = [
  {
    pattern: /^users$/i,
    roles: USER_READ,
    maxMinutes: DIRECTORY_MAX_MINUTES,
    matches: (_m, e) => e.resource === 'user',
  },
  {
    pattern: /^users\/([^/]+)$/i,
    roles: USER_READ,
    maxMinutes: DIRECTORY_MAX_MINUTES,
    matches: (m, e) => e.resource === 'user' && e.id === m[1],
  },
  {
    pattern: /^groups$/i,
    roles: GROUP_SUBSCRIBE,
    maxMinutes: DIRECTORY_MAX_MINUTES,
    matches: (_m, e) => e.resource === 'group',
  },
  {
    pattern: /^groups\/([^/]+)$/i,
    roles: GROUP_SUBSCRIBE,
    maxMinutes: DIRECTORY_MAX_MINUTES,
    matches: (m, e) => e.resource === 'group' && e.id === m[1],
  },
  {
    pattern: /^users\/([^/]+)\/contacts$/i,
    roles: CONTACTS_READ,
    maxMinutes: OUTLOOK_MAX_MINUTES,
    matches: (m, e) => e.resource === 'contact' && e.mailboxId === m[1],
  },
];

function badRequest(message: string): GraphHttpError {
  return new GraphHttpError(400, 'InvalidRequest', message);
}

function isLoopback(url: URL): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
}

function withQuery(url: string, key: string, value: string): string {
  const u = new URL(url);
  u.searchParams.set(key, value);
  return u.toString();
}

/** Graph change notifications (reference §6): validation handshake, clientState echo, batched delivery. */
export class Subscriptions {
  private readonly subs = new Map<string, Subscription>();
  private pending = new Map<string, object[]>();
  private flushScheduled = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  readonly stats: NotificationStats = { validations: 0, delivered: 0, failed: 0, dropped: 0 };

  /** `file`: where subscriptions outlive a restart, as Graph's do (those expired meanwhile are dropped). */
  constructor(
    private readonly sim: SimContext,
    private readonly file?: string,
  ) {
    sim.tenant.onChange((event) => this.onTenantEvent(event));
    if (!file || !existsSync(file)) return;
    for (const sub of JSON.parse(readFileSync(file, 'utf8')) as Subscription[])
      if (Date.parse(sub.expirationDateTime) > Date.now()) this.subs.set(sub.id, sub);
  }

  private save(): void {
    if (this.file) writeFileSync(this.file, JSON.stringify([...this.subs.values()]));
  }

  async create(body: Record<string, unknown>, caller: Caller): Promise<Subscription> {
    const resource = String(body['resource'] ?? '').replace(/^\//, '');
    const rule = RESOURCES.find((r) => r.pattern.test(resource));
    if (!rule) throw badRequest(`Resource '${resource}' is not supported for change notifications.`);
    if (!caller.roles.some((r) => rule.roles.includes(r))) {
      throw new GraphHttpError(
        403,
        'ExtensionError',
        'Operation: Create; Exception: [Status Code: Forbidden; Reason: Insufficient privileges]',
      );
    }
    const changeType = String(body['changeType'] ?? '');
    if (!/^(created|updated|deleted)(,(created|updated|deleted))*$/.test(changeType)) {
      throw badRequest(`Invalid changeType '${changeType}'.`);
    }
    const notificationUrl = this.checkUrl(body['notificationUrl'], 'notificationUrl');
    const lifecycle =
      body['lifecycleNotificationUrl'] == null
        ? null
        : this.checkUrl(body['lifecycleNotificationUrl'], 'lifecycleNotificationUrl');
    const expiration = this.checkExpiration(body['expirationDateTime'], rule.maxMinutes);
    const clientState = body['clientState'] == null ? null : String(body['clientState']);
    if (clientState !== null && clientState.length > 128)
      throw badRequest('clientState must be at most 128 characters.');
    if ([...this.subs.values()].filter((s) => s.applicationId === caller.clientId).length >= QUOTA_PER_APP) {
      throw new GraphHttpError(
        403,
        'ExtensionError',
        `Subscription quota exceeded: ${QUOTA_PER_APP} per app and tenant.`,
      );
    }
    await this.validate(notificationUrl);
    if (lifecycle) await this.validate(lifecycle);
    const sub: Subscription = {
      id: randomUUID(),
      resource,
      changeType,
      notificationUrl,
      lifecycleNotificationUrl: lifecycle,
      clientState,
      expirationDateTime: expiration,
      applicationId: caller.clientId,
      creatorId: caller.clientId,
      includeResourceData: false,
      latestSupportedTlsVersion: 'v1_2',
    };
    this.subs.set(sub.id, sub);
    this.save();
    return sub;
  }

  list(clientId: string): Subscription[] {
    return [...this.subs.values()].filter((s) => s.applicationId === clientId);
  }

  get(id: string, clientId: string): Subscription {
    const sub = this.subs.get(id);
    if (!sub || sub.applicationId !== clientId) {
      throw new GraphHttpError(404, 'ResourceNotFound', `The object was not found: subscription '${id}'.`);
    }
    return sub;
  }

  renew(id: string, clientId: string, body: Record<string, unknown>): Subscription {
    const sub = this.get(id, clientId);
    const rule = RESOURCES.find((r) => r.pattern.test(sub.resource));
    sub.expirationDateTime = this.checkExpiration(
      body['expirationDateTime'],
      rule?.maxMinutes ?? DIRECTORY_MAX_MINUTES,
    );
    this.save();
    return sub;
  }

  delete(id: string, clientId: string): void {
    this.get(id, clientId);
    this.subs.delete(id);
    this.save();
  }

  /** Every subscription, of all apps (control surface). */
  all(): Subscription[] {
    return [...this.subs.values()];
  }

  /**
   * Sends a lifecycle notification, as Graph does on its own: for `subscriptionRemoved` the subscription is
   * deleted first. False when nothing was sent (no `lifecycleNotificationUrl`) or the receiver did not
   * acknowledge it.
   */
  async sendLifecycleEvent(id: string, event: LifecycleEvent): Promise<boolean> {
    if (!LIFECYCLE_EVENTS.includes(event)) {
      throw new TenantError(
        400,
        `Unknown lifecycle event '${String(event)}' (${LIFECYCLE_EVENTS.join(', ')}).`,
      );
    }
    const sub = this.subs.get(id);
    if (!sub) throw new TenantError(404, `Subscription '${id}' does not exist.`);
    if (event === 'subscriptionRemoved') {
      this.subs.delete(id);
      this.save();
    }
    return this.postLifecycle(sub, event);
  }

  clear(): void {
    this.subs.clear();
    this.save();
    this.pending.clear();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await Promise.allSettled([...this.inFlight]);
  }

  private checkUrl(value: unknown, field: string): string {
    let url: URL;
    try {
      url = new URL(String(value));
    } catch {
      throw badRequest(`${field} is not a valid URL.`);
    }
    const httpAllowed = this.sim.settings.allowHttpLoopbackNotifications && isLoopback(url);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && httpAllowed)) {
      throw badRequest(`Subscription ${field} must be an https URL.`);
    }
    return url.toString();
  }

  private checkExpiration(value: unknown, maxMinutes: number): string {
    const when = Date.parse(String(value));
    if (Number.isNaN(when) || when <= Date.now())
      throw badRequest('expirationDateTime must be a future date.');
    if (when - Date.now() > maxMinutes * 60_000) {
      throw badRequest(`Subscription expiration can only be ${maxMinutes} minutes in the future.`);
    }
    return new Date(when).toISOString();
  }

  private async validate(url: string): Promise<void> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    this.stats.validations++;
    try {
      const res = await fetch(withQuery(url, 'validationToken', token), {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.any([AbortSignal.timeout(VALIDATION_TIMEOUT_MS), this.abort.signal]),
      });
      if (res.status === 200 && (await res.text()) === token) return;
    } catch {
      // reported below, as Graph does
    }
    throw badRequest(
      'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
    );
  }

  private onTenantEvent(event: TenantEvent): void {
    const now = Date.now();
    for (const sub of this.subs.values()) {
      if (Date.parse(sub.expirationDateTime) < now) continue;
      const rule = RESOURCES.find((r) => r.pattern.test(sub.resource));
      const m = rule?.pattern.exec(sub.resource);
      if (!rule || !m || !rule.matches(m, event)) continue;
      // Directory resources report creation as `updated` (reference §6).
      const changeType =
        event.changeType === 'created' && event.resource !== 'contact' ? 'updated' : event.changeType;
      if (!sub.changeType.split(',').includes(changeType)) continue;
      this.queue(sub.notificationUrl, this.notification(sub, event, changeType));
    }
  }

  private notification(sub: Subscription, event: TenantEvent, changeType: string): object {
    const [type, path] =
      event.resource === 'user'
        ? ['#Microsoft.Graph.User', `Users/${event.id}`]
        : event.resource === 'group'
          ? ['#Microsoft.Graph.Group', `Groups/${event.id}`]
          : ['#Microsoft.Graph.Contact', `Users/${event.mailboxId}/Contacts/${event.id}`];
    return {
      id: randomUUID(),
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: sub.expirationDateTime,
      clientState: sub.clientState,
      changeType,
      resource: path,
      resourceData: {
        '@odata.type': type,
        '@odata.id': path,
        id: event.id,
        organizationId: this.sim.tenantId,
      },
      tenantId: this.sim.tenantId,
    };
  }

  private queue(url: string, notification: object): void {
    const list = this.pending.get(url) ?? [];
    list.push(notification);
    this.pending.set(url, list);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.flushScheduled = false;
    const batches = this.pending;
    this.pending = new Map();
    for (const [url, value] of batches) {
      const mode = this.sim.settings.notificationDelivery;
      if (mode === 'off') {
        this.stats.dropped += value.length;
        continue;
      }
      const task = (mode === 'fail' ? this.missed(value) : this.deliver(url, value)).finally(() =>
        this.inFlight.delete(task),
      );
      this.inFlight.add(task);
    }
  }

  private async deliver(url: string, value: object[]): Promise<void> {
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      if (this.abort.signal.aborted) return;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify({ value }),
          signal: AbortSignal.any([AbortSignal.timeout(DELIVERY_TIMEOUT_MS), this.abort.signal]),
        });
        await res.arrayBuffer();
        if (res.ok) {
          this.stats.delivered += value.length;
          return;
        }
      } catch {
        // retried below
      }
      await new Promise((r) => setTimeout(r, RETRY_DELAYS_MS[attempt] ?? 0));
    }
    this.stats.failed += value.length;
  }

  /** Delivery made to fail: notifications are lost and subscribers with a lifecycle URL hear `missed`. */
  private async missed(value: object[]): Promise<void> {
    this.stats.failed += value.length;
    const subIds = new Set(value.map((n) => (n as { subscriptionId: string }).subscriptionId));
    for (const id of subIds) {
      const sub = this.subs.get(id);
      if (sub) await this.postLifecycle(sub, 'missed');
    }
  }

  /** Posts one lifecycle notification; true when the receiver acknowledged it (Graph expects 202). */
  private async postLifecycle(sub: Subscription, lifecycleEvent: LifecycleEvent): Promise<boolean> {
    if (!sub.lifecycleNotificationUrl) return false;
    const event = {
      subscriptionId: sub.id,
      subscriptionExpirationDateTime: sub.expirationDateTime,
      clientState: sub.clientState,
      lifecycleEvent,
      tenantId: this.sim.tenantId,
    };
    return fetch(sub.lifecycleNotificationUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ value: [event] }),
      signal: AbortSignal.any([AbortSignal.timeout(DELIVERY_TIMEOUT_MS), this.abort.signal]),
    }).then(
      async (r) => {
        await r.arrayBuffer();
        return r.ok;
      },
      () => false,
    );
  }
}
