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
import type { TunableSettings } from './settings.js';
import type { LinkusSso, SsoLoginResult, SsoSettings } from './sso.js';
import { blockedIps, expireAccessTokens, unblockIp, validTokenCount } from './tokens.js';

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
  counters(): Record<string, number>;
  resetCounters(): void;
  /** Highest number of Open API requests processed at once since the last resetCounters(). */
  peakConcurrency(): number;
  configure(settings: Partial<TunableSettings>): void;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  expireAccessTokens(): void;
  validTokenCount(): number;
  unblockIp(ip: string): void;
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
    },
    peakConcurrency: () => faults.peakConcurrent,
    configure: (settings) => Object.assign(sim.settings, settings),
    injectFault: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    expireAccessTokens: () => expireAccessTokens(sim),
    validTokenCount: () => validTokenCount(sim, sim.settings.clientId),
    unblockIp: (ip) => unblockIp(sim, ip),
    patchExtension: (number, patch) => view(adminPatch(sim, number, patch)),
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
