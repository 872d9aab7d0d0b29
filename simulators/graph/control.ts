import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AppRegistration } from './apps.js';
import type { SimContext, SimSettings } from './context.js';
import type { CounterSnapshot } from './counters.js';
import type { FaultConfig } from './faults.js';
import { generateTenant, type GenerateOptions } from './generator.js';
import type { SimContact, SimContactFolder, SimGroup, SimPresence, SimUser } from './model.js';
import type { LifecycleEvent, NotificationStats, Subscription, Subscriptions } from './subscriptions.js';
import type { TenantSnapshot } from './tenant.js';

type UserInput = Partial<SimUser> & { userPrincipalName: string; displayName: string };
type ContactInput = Partial<Omit<SimContact, 'id' | 'parentFolderId'>> & { displayName: string };

export interface TenantStats {
  users: number;
  liveUsers: number;
  groups: number;
  sequence: number;
}

/**
 * The simulator's control surface (not Graph). Tests and the bench use it in-process; the same
 * methods are served over HTTPS as `POST /_sim/<method>` with a JSON array of arguments.
 */
export class GraphControl {
  constructor(
    private readonly sim: SimContext,
    private readonly subscriptions: Subscriptions,
  ) {}

  // users
  createUser(input: UserInput): SimUser {
    return structuredClone(this.sim.tenant.createUser(input));
  }
  updateUser(id: string, patch: Partial<Omit<SimUser, 'id' | 'deletedDateTime'>>): SimUser {
    return structuredClone(this.sim.tenant.updateUser(id, patch));
  }
  disableUser(id: string): SimUser {
    return this.updateUser(id, { accountEnabled: false });
  }
  softDeleteUser(id: string): void {
    this.sim.tenant.softDeleteUser(id);
  }
  restoreUser(id: string): SimUser {
    return structuredClone(this.sim.tenant.restoreUser(id));
  }
  hardDeleteUser(id: string): void {
    this.sim.tenant.hardDeleteUser(id);
  }
  getUser(idOrUpn: string): SimUser | undefined {
    const user = this.sim.tenant.users.get(idOrUpn) ?? this.sim.tenant.userByUpn(idOrUpn);
    return user && structuredClone(user);
  }
  /** Live users (optionally the first `limit`). */
  listUsers(limit?: number): SimUser[] {
    return structuredClone(this.sim.tenant.users.live().slice(0, limit));
  }

  // groups and memberships
  createGroup(input: Partial<SimGroup> & { displayName: string }): SimGroup {
    return structuredClone(this.sim.tenant.createGroup(input));
  }
  updateGroup(id: string, patch: Partial<Omit<SimGroup, 'id' | 'deletedDateTime'>>): SimGroup {
    return structuredClone(this.sim.tenant.updateGroup(id, patch));
  }
  deleteGroup(id: string): void {
    this.sim.tenant.deleteGroup(id);
  }
  addMember(groupId: string, memberId: string): void {
    this.sim.tenant.addMember(groupId, memberId);
  }
  removeMember(groupId: string, memberId: string): void {
    this.sim.tenant.removeMember(groupId, memberId);
  }
  listGroups(): (SimGroup & { members: string[] })[] {
    return this.sim.tenant.groups
      .live()
      .map((g) => ({ ...structuredClone(g), members: [...this.sim.tenant.membersOf(g.id)] }));
  }

  // contacts
  contactFolders(userId: string): SimContactFolder[] {
    return structuredClone(this.sim.tenant.contactFolders(userId));
  }
  createContactFolder(userId: string, displayName: string): SimContactFolder {
    return structuredClone(this.sim.tenant.createContactFolder(userId, displayName));
  }
  addContact(userId: string, input: ContactInput, folderId?: string): SimContact {
    return structuredClone(this.sim.tenant.addContact(userId, input, folderId));
  }
  updateContact(userId: string, contactId: string, patch: Partial<ContactInput>): SimContact {
    return structuredClone(this.sim.tenant.updateContact(userId, contactId, patch));
  }
  deleteContact(userId: string, contactId: string): void {
    this.sim.tenant.deleteContact(userId, contactId);
  }

  // presence
  setPresence(userId: string, presence: SimPresence): void {
    this.sim.tenant.setPresence(userId, presence);
  }

  // delta, faults, settings
  /** Every delta/skip token issued so far stops working (directory: 400 syncStateNotFound; Outlook: 410). */
  expireDeltaTokens(): void {
    this.sim.tenant.epoch++;
  }
  setFaults(config: FaultConfig): void {
    this.sim.faults.set(structuredClone(config));
  }
  clearFaults(): void {
    this.sim.faults.clear();
  }
  configure(settings: Partial<SimSettings>): SimSettings {
    Object.assign(this.sim.settings, settings);
    return { ...this.sim.settings };
  }
  setNotificationDelivery(mode: SimSettings['notificationDelivery']): void {
    this.sim.settings.notificationDelivery = mode;
  }
  /** Every change-notification subscription, of all apps. */
  listSubscriptions(): Subscription[] {
    return structuredClone(this.subscriptions.all());
  }
  /**
   * Sends a lifecycle notification to the subscription's `lifecycleNotificationUrl` (`subscriptionRemoved`
   * deletes the subscription first, as Graph does). False: no lifecycle URL, or the receiver did not take it.
   */
  sendLifecycleEvent(subscriptionId: string, event: LifecycleEvent): Promise<boolean> {
    return this.subscriptions.sendLifecycleEvent(subscriptionId, event);
  }

  // app registrations
  registerApp(input: Partial<AppRegistration>): AppRegistration {
    return structuredClone(this.sim.apps.register(input));
  }
  updateApp(clientId: string, patch: Partial<Omit<AppRegistration, 'clientId'>>): AppRegistration {
    return structuredClone(this.sim.apps.update(clientId, patch));
  }
  removeApp(clientId: string): void {
    this.sim.apps.remove(clientId);
  }

  // observation
  counters(): CounterSnapshot {
    return this.sim.counters.snapshot();
  }
  resetCounters(): void {
    this.sim.counters.reset();
  }
  notificationStats(): NotificationStats {
    return { ...this.subscriptions.stats };
  }
  stats(): TenantStats {
    const { tenant } = this.sim;
    return {
      users: tenant.users.size,
      liveUsers: tenant.users.live().length,
      groups: tenant.groups.size,
      sequence: tenant.sequence,
    };
  }

  // whole tenant
  /** Empties the tenant, subscriptions, faults and counters (app registrations stay). */
  reset(): void {
    this.sim.tenant.clear();
    this.subscriptions.clear();
    this.sim.faults.clear();
    this.sim.counters.reset();
  }
  /** Replaces the tenant with a deterministic generated one; returns how long generation took. */
  generateTenant(options: GenerateOptions): TenantStats & { elapsedMs: number } {
    const started = performance.now();
    this.sim.tenant.clear();
    this.sim.tenant.bulkLoad(generateTenant(options));
    return { ...this.stats(), elapsedMs: Math.round(performance.now() - started) };
  }
  saveTenant(path: string): void {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(this.sim.tenant.snapshot()));
  }
  loadTenant(path: string): TenantStats {
    const snapshot = JSON.parse(readFileSync(path, 'utf8')) as TenantSnapshot;
    this.sim.tenant.clear();
    this.sim.tenant.bulkLoad(snapshot);
    return this.stats();
  }
}

/** Methods callable over HTTP; everything else on the class stays in-process. */
export const CONTROL_METHODS = [
  'createUser',
  'updateUser',
  'disableUser',
  'softDeleteUser',
  'restoreUser',
  'hardDeleteUser',
  'getUser',
  'listUsers',
  'createGroup',
  'updateGroup',
  'deleteGroup',
  'addMember',
  'removeMember',
  'listGroups',
  'contactFolders',
  'createContactFolder',
  'addContact',
  'updateContact',
  'deleteContact',
  'setPresence',
  'expireDeltaTokens',
  'setFaults',
  'clearFaults',
  'configure',
  'setNotificationDelivery',
  'listSubscriptions',
  'sendLifecycleEvent',
  'registerApp',
  'updateApp',
  'removeApp',
  'counters',
  'resetCounters',
  'notificationStats',
  'stats',
  'reset',
  'generateTenant',
  'saveTenant',
  'loadTenant',
] as const satisfies readonly (keyof GraphControl)[];
