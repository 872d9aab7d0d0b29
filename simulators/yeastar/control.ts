import type { AccessAttempt, AccessResult, DeviceAccess } from './access.js';
import type { SimContext } from './context.js';
import { contacts, phonebooks, type ContactRecord, type PhonebookRecord } from './contacts.js';
import type { EventPush, Webhook } from './events.js';
import {
  adminPatch,
  extensions,
  WELCOME,
  type ExtensionRecord,
  type Presence,
  type WelcomeEmail,
} from './extensions.js';
import type { Faults, FaultSpec } from './faults.js';
import { groups, type GroupRecord } from './groups.js';
import { ensureRoot, organizations, type OrganizationRecord } from './organizations.js';
import { visiblePhonebooks } from './phonebooks.js';
import type { PresenceWriteStats } from './presence-writes.js';
import type { TunableSettings } from './settings.js';
import type { LinkusSso, SsoLoginResult, SsoSettings } from './sso.js';
import { blockedIps, expireAccessTokens, revokeAllTokens, unblockIp, validTokenCount } from './tokens.js';

/** The simulator's control API: what an admin does in the PBX UI, plus test hooks. Also served at /_sim/. */
export type ExtensionView = Omit<ExtensionRecord, 'user_password' | 'reg_password'>;

export interface SimState {
  extensions: ExtensionView[];
  organizations: OrganizationRecord[];
  extensionGroups: GroupRecord[];
  companyContacts: ContactRecord[];
  phonebooks: PhonebookRecord[];
  welcomeEmails: WelcomeEmail[];
  validTokens: number;
  blockedIps: string[];
}

export interface YeastarControl {
  state(): SimState;
  /** Open API requests per endpoint, get_token and refresh_token included. */
  counters(): Record<string, number>;
  /** Clears counters, peak concurrency and presence-write statistics. */
  resetCounters(): void;
  /** Per extension number: API writes carrying presence_status, how many changed it, and when. */
  presenceWrites(): Record<string, PresenceWriteStats>;
  /** Highest number of Open API requests processed at once since the last resetCounters(). */
  peakConcurrency(): number;
  configure(settings: Partial<TunableSettings>): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  expireAccessTokens(): void;
  /** Every access and refresh token stops working (calls get the unknown-token errcode). */
  revokeAllTokens(): void;
  /** An admin regenerates the Client Secret in Integrations > API; issued tokens stay valid. Not persisted. */
  rotateClientSecret(newSecret: string): void;
  validTokenCount(): number;
  unblockIp(ip: string): void;
  /** A SIP device registers with `reg_password`; success emits 30007. */
  sipRegister(number: string, password: string, ip?: string): AccessResult;
  /** A user signs in to the web portal (default) or Linkus with `user_password`. */
  userLogin(number: string, password: string, app?: 'web' | 'linkus'): AccessResult;
  accessLog(): AccessAttempt[];
  /** Admin edits in the PBX UI: disable an extension, turn off Linkus, change presence, set an SSO identity. */
  patchExtension(
    number: string,
    patch: Partial<{
      enabled: boolean;
      linkus_enabled: boolean;
      presence_status: Presence;
      sso_identity: string;
    }>,
  ): ExtensionView;
  /** The phonebooks an extension's user sees, in the phonebook/get `data` shape. */
  visiblePhonebooks(extensionNumber: string): Array<Record<string, unknown>>;
  configureSso(settings: SsoSettings | null): void;
  ssoLogins(): SsoLoginResult[];
  addWebhook(url: string, events?: number[]): Webhook;
  removeWebhooks(): void;
  webhookDeliveries(): Array<{ url: string; type: number; status: number | string }>;
  /** Wipes all PBX data (tokens and settings stay). */
  reset(): void;
}

const view = ({ user_password: _u, reg_password: _r, ...rest }: ExtensionRecord): ExtensionView => rest;

export function createControl(
  sim: SimContext,
  faults: Faults,
  sso: LinkusSso,
  push: EventPush,
  access: DeviceAccess,
): YeastarControl {
  return {
    state: () => ({
      extensions: extensions(sim).map(view),
      organizations: organizations(sim),
      extensionGroups: groups(sim),
      companyContacts: contacts(sim),
      phonebooks: phonebooks(sim),
      welcomeEmails: sim.store.all<WelcomeEmail>(WELCOME),
      validTokens: validTokenCount(sim, sim.settings.clientId),
      blockedIps: blockedIps(sim),
    }),
    counters: () => Object.fromEntries(faults.counters),
    resetCounters: () => {
      faults.counters.clear();
      faults.peakConcurrent = 0;
      sim.presenceWrites.clear();
    },
    presenceWrites: () => Object.fromEntries(sim.presenceWrites),
    peakConcurrency: () => faults.peakConcurrent,
    configure: (settings) => Object.assign(sim.settings, settings),
    injectFault: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    expireAccessTokens: () => expireAccessTokens(sim),
    revokeAllTokens: () => revokeAllTokens(sim),
    rotateClientSecret: (newSecret) => {
      if (typeof newSecret !== 'string' || !newSecret)
        throw new Error('newSecret must be a non-empty string');
      sim.settings.clientSecret = newSecret;
    },
    validTokenCount: () => validTokenCount(sim, sim.settings.clientId),
    unblockIp: (ip) => unblockIp(sim, ip),
    sipRegister: (number, password, ip) => access.sipRegister(number, password, ip),
    userLogin: (number, password, app) => access.userLogin(number, password, app),
    accessLog: () => [...access.log],
    patchExtension: (number, patch) => view(adminPatch(sim, number, patch)),
    visiblePhonebooks: (extensionNumber) => visiblePhonebooks(sim, extensionNumber),
    configureSso: (settings) => sso.configure(settings),
    ssoLogins: () => sso.logins,
    addWebhook: (url, events) => push.addWebhook(url, events),
    removeWebhooks: () => push.removeWebhooks(),
    webhookDeliveries: () => push.webhookDeliveries,
    reset: () => {
      for (const c of [
        'extensions',
        'organizations',
        'extensionGroups',
        'companyContacts',
        'phonebooks',
        WELCOME,
      ]) {
        for (const rec of sim.store.all<{ id: number }>(c)) sim.store.del(c, rec.id);
      }
      ensureRoot(sim);
    },
  };
}

/** HTTP form of the control API: `POST /_sim/<method>` with the arguments as a JSON array (GET for no-arg reads). */
export function callControl(control: YeastarControl, method: string, args: unknown[]): unknown {
  const fn = Object.hasOwn(control, method)
    ? (control as unknown as Record<string, unknown>)[method]
    : undefined;
  if (typeof fn !== 'function') throw new Error(`unknown control method ${method}`);
  return (fn as (...a: unknown[]) => unknown)(...args) ?? null;
}
