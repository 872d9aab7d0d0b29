import type { AppRegistry } from './apps.js';
import type { Counters } from './counters.js';
import type { Faults } from './faults.js';
import type { SigningKey } from './signing.js';
import type { Subscriptions } from './subscriptions.js';
import type { Tenant } from './tenant.js';
import type { RateLimit, RateWindows } from './throttling.js';

export interface SimSettings {
  /** Directory delta token lifetime (Graph: 7 days). */
  deltaTokenTtlMs: number;
  /** Objects plus members per delta page (Graph's page size varies and is not client-settable). */
  deltaPageSize: number;
  /** Most `members@delta` entries on one group object; larger groups repeat across pages. */
  memberSliceSize: number;
  accessTokenLifetimeSeconds: number;
  /** Deliver change notifications to http:// URLs on loopback hosts (Graph itself requires https). */
  allowHttpLoopbackNotifications: boolean;
  notificationDelivery: 'on' | 'off' | 'fail';
  /**
   * Presence endpoints (GET presence, POST getPresencesByUserId) per app: 1,500 requests / 30 s (reference §5;
   * some pages say 10,000). Over it → 429 with Retry-After. `null` switches the limit off.
   */
  presenceRateLimit: RateLimit | null;
  /** Default page size of Outlook contact and contact-folder lists (UNCONFIRMED: 10). */
  contactPageSize: number;
  /** Most contacts per contact delta page, whatever `Prefer: odata.maxpagesize` asks (UNCONFIRMED: 200). */
  contactDeltaMaxPageSize: number;
  /** A contact moved to another folder keeps its id (UNCONFIRMED: the reference does not say; off = new id). */
  contactMoveKeepsId: boolean;
}

export const DEFAULT_SETTINGS: SimSettings = {
  deltaTokenTtlMs: 7 * 24 * 3600 * 1000,
  deltaPageSize: 200,
  memberSliceSize: 100,
  accessTokenLifetimeSeconds: 3599,
  allowHttpLoopbackNotifications: true,
  notificationDelivery: 'on',
  presenceRateLimit: { requests: 1500, perSeconds: 30 },
  contactPageSize: 10,
  contactDeltaMaxPageSize: 200,
  contactMoveKeepsId: false,
};

export interface SimContext {
  tenantId: string;
  tenant: Tenant;
  apps: AppRegistry;
  signing: SigningKey;
  faults: Faults;
  /** Request windows of the presence rate limit, per app. */
  presenceWindows: RateWindows;
  counters: Counters;
  settings: SimSettings;
}

/** Caller identity from a validated Graph access token. */
export interface Caller {
  clientId: string;
  roles: readonly string[];
  /** Bearer token, forwarded to the inner requests of a $batch. */
  token: string;
}

export interface RequestCtx {
  sim: SimContext;
  subscriptions: Subscriptions;
  caller: Caller;
}
