import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AppRegistration } from './apps.js';
import type { SimContext, SimSettings } from './context.js';
import { messyContacts } from './contact-generator.js';
import type { CounterSnapshot } from './counters.js';
import type { FaultConfig } from './faults.js';
import { generateTenant, type GenerateOptions } from './generator.js';
import type { ContactInput } from './mailboxes.js';
import type { SimContact, SimContactFolder, SimGroup, SimPresence, SimUser } from './model.js';
import type { PresenceChange } from './presence-changes.js';
import { PresenceChurn, type PresenceChurnInfo, type PresenceChurnOptions } from './presence-churn.js';
import { Rng } from './random.js';
import type { LifecycleEvent, NotificationStats, Subscription, Subscriptions } from './subscriptions.js';
import type { TenantSnapshot } from './tenant.js';

type UserInput = Partial<SimUser> & { userPrincipalName: string; displayName: string };

export interface GenerateContactsOptions {
  mailbox: string;
  /** Default: the mailbox's default Contacts folder. */
  folderId?: string;
  count: number;
  seed?: number;
}

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
  private readonly churn: PresenceChurn;

  constructor(
    private readonly sim: SimContext,
    private readonly subscriptions: Subscriptions,
  ) {
    this.churn = new PresenceChurn(sim.tenant);
  }

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
  /** Every folder of the mailbox, child folders included (Graph's `contactFolders` lists the top level only). */
  contactFolders(userId: string): SimContactFolder[] {
    return structuredClone(this.sim.tenant.mailboxes.folders(userId));
  }
  createContactFolder(userId: string, displayName: string): SimContactFolder {
    return structuredClone(this.sim.tenant.mailboxes.createFolder(userId, displayName));
  }
  createChildFolder(userId: string, parentFolderId: string, displayName: string): SimContactFolder {
    return structuredClone(this.sim.tenant.mailboxes.createFolder(userId, displayName, parentFolderId));
  }
  /** Contacts of a folder (default: the default Contacts folder). */
  listContacts(userId: string, folderId?: string): SimContact[] {
    return structuredClone(this.sim.tenant.mailboxes.folder(userId, folderId).list());
  }
  addContact(userId: string, input: ContactInput, folderId?: string): SimContact {
    return structuredClone(this.sim.tenant.mailboxes.addContact(userId, input, folderId));
  }
  addContacts(userId: string, inputs: ContactInput[], folderId?: string): SimContact[] {
    const { mailboxes } = this.sim.tenant;
    return structuredClone(inputs.map((input) => mailboxes.addContact(userId, input, folderId)));
  }
  /** Adds `count` deterministic messy contacts (see the generator), e.g. a huge folder for a benchmark. */
  generateContacts(options: GenerateContactsOptions): { added: number; elapsedMs: number } {
    const started = performance.now();
    const { mailboxes } = this.sim.tenant;
    const inputs = messyContacts(new Rng(options.seed ?? 1), options.count);
    for (const input of inputs) mailboxes.addContact(options.mailbox, input, options.folderId);
    return { added: inputs.length, elapsedMs: Math.round(performance.now() - started) };
  }
  updateContact(userId: string, contactId: string, patch: Partial<ContactInput>): SimContact {
    return structuredClone(this.sim.tenant.mailboxes.updateContact(userId, contactId, patch));
  }
  deleteContact(userId: string, contactId: string): void {
    this.sim.tenant.mailboxes.deleteContact(userId, contactId);
  }
  /** Returns the moved contact: with a new id unless the setting `contactMoveKeepsId` is on. */
  moveContact(userId: string, contactId: string, toFolderId: string): SimContact {
    const keepId = this.sim.settings.contactMoveKeepsId;
    return structuredClone(this.sim.tenant.mailboxes.moveContact(userId, contactId, toFolderId, keepId));
  }
  /** Contact delta tokens issued so far (of one mailbox, or of all) answer 410 SyncStateNotFound. */
  expireContactDeltaTokens(mailboxId?: string): void {
    this.sim.tenant.mailboxes.expireTokens(mailboxId);
  }

  // presence
  setPresence(userId: string, presence: SimPresence): void {
    this.sim.tenant.setPresence(userId, presence);
  }
  setPresences(changes: (SimPresence & { userId: string })[]): void {
    for (const { userId, ...presence } of changes) this.sim.tenant.setPresence(userId, presence);
  }
  /** Effective presence changes (bounded to the last 100,000) made at or after `since` (epoch ms). */
  presenceChanges(since?: number): PresenceChange[] {
    return this.sim.tenant.presenceChanges.list(since);
  }
  startPresenceChurn(options: PresenceChurnOptions): PresenceChurnInfo {
    return this.churn.start(options);
  }
  stopPresenceChurn(): void {
    this.churn.stop();
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
    if ('presenceRateLimit' in settings) this.sim.presenceWindows.clear();
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
  /** Empties the tenant, subscriptions, faults and counters and stops presence churn (app registrations stay). */
  reset(): void {
    this.churn.stop();
    this.sim.presenceWindows.clear();
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
  'createChildFolder',
  'listContacts',
  'addContact',
  'addContacts',
  'generateContacts',
  'updateContact',
  'deleteContact',
  'moveContact',
  'expireContactDeltaTokens',
  'setPresence',
  'setPresences',
  'presenceChanges',
  'startPresenceChurn',
  'stopPresenceChurn',
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
