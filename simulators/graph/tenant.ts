import { randomInt, randomUUID } from 'node:crypto';
import { Collection } from './collection.js';
import { Mailboxes, type MailboxSnapshot } from './mailboxes.js';
import {
  blankUser,
  emptyExtensionAttributes,
  type SimGroup,
  type SimPresence,
  type SimUser,
} from './model.js';
import { PresenceChanges } from './presence-changes.js';
import { samePresence } from './presence-values.js';
import { TenantError } from './tenant-error.js';

export { TenantError } from './tenant-error.js';

export type ObjectKind = 'user' | 'group';

/** One row of the directory change log; `props: null` means the whole object (create/delete/restore). */
export interface ChangeEntry {
  seq: number;
  kind: ObjectKind;
  id: string;
  props: readonly string[] | null;
  members?: readonly string[];
}

export interface TenantEvent {
  resource: ObjectKind | 'contact';
  id: string;
  changeType: 'created' | 'updated' | 'deleted';
  mailboxId?: string;
}

export interface AggregatedChange {
  id: string;
  props: Set<string> | null;
  members: Set<string>;
}

export interface TenantSnapshot {
  users: SimUser[];
  groups: (SimGroup & { members: string[] })[];
  mailboxes: MailboxSnapshot[];
  presence: Record<string, SimPresence>;
}

function now(): string {
  return new Date().toISOString();
}

export class Tenant {
  readonly users = new Collection<SimUser>();
  readonly groups = new Collection<SimGroup>();
  readonly presence = new Map<string, SimPresence>();
  readonly presenceChanges = new PresenceChanges();
  readonly mailboxes = new Mailboxes({
    requireUser: (id) => void this.requireUser(id),
    nextSequence: () => ++this.seq,
    emit: (event) => this.emit(event),
  });
  private readonly members = new Map<string, Set<string>>();
  private readonly memberOf = new Map<string, Set<string>>();
  private readonly upnIndex = new Map<string, string>();
  private log: ChangeEntry[] = [];
  private seq = 0;
  private listeners: ((event: TenantEvent) => void)[] = [];
  /**
   * Bumped whenever existing delta tokens must stop working (reset, load, expire). Random at start: the tenant
   * is generated again on each start, so tokens a previous run handed out must not be taken as this one's.
   */
  epoch = randomInt(1, 2 ** 31);

  get sequence(): number {
    return this.seq;
  }

  onChange(listener: (event: TenantEvent) => void): void {
    this.listeners.push(listener);
  }

  // ---- users ----------------------------------------------------------------------------------

  createUser(input: Partial<SimUser> & { userPrincipalName: string; displayName: string }): SimUser {
    const upnKey = input.userPrincipalName.toLowerCase();
    if (this.upnIndex.has(upnKey)) {
      throw new TenantError(
        400,
        `Another object with the same value for property userPrincipalName already exists.`,
      );
    }
    const user: SimUser = {
      ...blankUser(randomUUID(), input.userPrincipalName, input.displayName, now()),
      ...input,
      onPremisesExtensionAttributes: {
        ...emptyExtensionAttributes(),
        ...input.onPremisesExtensionAttributes,
      },
      deletedDateTime: null,
    };
    this.users.add(user);
    this.upnIndex.set(upnKey, user.id);
    this.record('user', user.id, null, 'created');
    return user;
  }

  userByUpn(upn: string): SimUser | undefined {
    const id = this.upnIndex.get(upn.toLowerCase());
    return id === undefined ? undefined : this.users.getLive(id);
  }

  updateUser(id: string, patch: Partial<Omit<SimUser, 'id' | 'deletedDateTime'>>): SimUser {
    const user = this.requireUser(id);
    if (
      patch.userPrincipalName &&
      patch.userPrincipalName.toLowerCase() !== user.userPrincipalName.toLowerCase()
    ) {
      if (this.upnIndex.has(patch.userPrincipalName.toLowerCase())) {
        throw new TenantError(
          400,
          'Another object with the same value for property userPrincipalName already exists.',
        );
      }
      this.upnIndex.delete(user.userPrincipalName.toLowerCase());
      this.upnIndex.set(patch.userPrincipalName.toLowerCase(), id);
    }
    const changed: string[] = [];
    for (const [key, value] of Object.entries(patch) as [keyof SimUser, unknown][]) {
      const merged =
        key === 'onPremisesExtensionAttributes'
          ? { ...user.onPremisesExtensionAttributes, ...(value as Record<string, string | null>) }
          : value;
      if (JSON.stringify(user[key]) === JSON.stringify(merged)) continue;
      (user as unknown as Record<string, unknown>)[key] = merged;
      changed.push(key);
    }
    if (changed.length > 0) this.record('user', id, changed, 'updated');
    return user;
  }

  softDeleteUser(id: string): void {
    const user = this.requireUser(id);
    user.deletedDateTime = now();
    this.users.invalidate();
    this.record('user', id, null, 'deleted');
  }

  restoreUser(id: string): SimUser {
    const user = this.users.get(id);
    if (!user || user.deletedDateTime === null)
      throw new TenantError(404, `Deleted user '${id}' does not exist.`);
    user.deletedDateTime = null;
    this.users.invalidate();
    this.record('user', id, null, 'created');
    return user;
  }

  hardDeleteUser(id: string): void {
    const user = this.users.get(id);
    if (!user) throw new TenantError(404, `Resource '${id}' does not exist.`);
    this.removeFromAllGroups(id);
    this.users.delete(id);
    this.upnIndex.delete(user.userPrincipalName.toLowerCase());
    this.presence.delete(id);
    this.mailboxes.drop(id);
    this.record('user', id, null, 'deleted');
  }

  // ---- groups & memberships -------------------------------------------------------------------

  createGroup(input: Partial<SimGroup> & { displayName: string }): SimGroup {
    const group: SimGroup = {
      id: randomUUID(),
      description: null,
      mail: null,
      mailEnabled: false,
      mailNickname: input.displayName.replace(/[^A-Za-z0-9]/g, '').slice(0, 64) || 'group',
      securityEnabled: true,
      groupTypes: [],
      visibility: null,
      createdDateTime: now(),
      ...input,
      deletedDateTime: null,
    };
    this.groups.add(group);
    this.members.set(group.id, new Set());
    this.record('group', group.id, null, 'created');
    return group;
  }

  updateGroup(id: string, patch: Partial<Omit<SimGroup, 'id' | 'deletedDateTime'>>): SimGroup {
    const group = this.requireGroup(id);
    const changed = Object.keys(patch).filter((k) => {
      const key = k as keyof SimGroup;
      return JSON.stringify(group[key]) !== JSON.stringify(patch[key as keyof typeof patch]);
    });
    Object.assign(group, patch);
    if (changed.length > 0) this.record('group', id, changed, 'updated');
    return group;
  }

  deleteGroup(id: string): void {
    this.requireGroup(id);
    this.removeFromAllGroups(id);
    for (const member of this.members.get(id) ?? []) this.memberOf.get(member)?.delete(id);
    this.members.delete(id);
    this.groups.delete(id);
    this.record('group', id, null, 'deleted');
  }

  addMember(groupId: string, memberId: string): void {
    this.requireGroup(groupId);
    if (!this.users.get(memberId) && !this.groups.get(memberId)) {
      throw new TenantError(404, `Resource '${memberId}' does not exist.`);
    }
    if (groupId === memberId) throw new TenantError(400, 'A group cannot be a member of itself.');
    const set = this.members.get(groupId);
    if (!set || set.has(memberId)) return;
    set.add(memberId);
    let parents = this.memberOf.get(memberId);
    if (!parents) this.memberOf.set(memberId, (parents = new Set()));
    parents.add(groupId);
    this.record('group', groupId, ['members'], 'updated', [memberId]);
  }

  removeMember(groupId: string, memberId: string): void {
    this.requireGroup(groupId);
    if (!this.members.get(groupId)?.delete(memberId)) {
      throw new TenantError(404, `Member '${memberId}' is not in group '${groupId}'.`);
    }
    this.memberOf.get(memberId)?.delete(groupId);
    this.record('group', groupId, ['members'], 'updated', [memberId]);
  }

  membersOf(groupId: string): ReadonlySet<string> {
    return this.members.get(groupId) ?? new Set();
  }

  isMember(groupId: string, memberId: string): boolean {
    return this.members.get(groupId)?.has(memberId) ?? false;
  }

  /** Flattened nested membership, each object once, groups included (as Graph does). */
  transitiveMembersOf(groupId: string): string[] {
    const seen = new Set<string>();
    const queue = [groupId];
    for (let i = 0; i < queue.length; i++) {
      for (const member of this.members.get(queue[i] ?? '') ?? []) {
        if (seen.has(member) || member === groupId) continue;
        seen.add(member);
        if (this.groups.get(member)) queue.push(member);
      }
    }
    return [...seen];
  }

  // ---- presence -------------------------------------------------------------------------------

  /** Sets a user's presence; an effective change is recorded with its time (see `presenceChanges`). */
  setPresence(userId: string, presence: SimPresence): void {
    this.requireUser(userId);
    if (samePresence(this.presence.get(userId), presence)) return;
    const value = { availability: presence.availability, activity: presence.activity };
    this.presence.set(userId, value);
    this.presenceChanges.record(userId, value);
  }

  // ---- delta support --------------------------------------------------------------------------

  /** Objects of `kind` changed in (since, upto], in first-change order, with the union of what changed. */
  changesBetween(kind: ObjectKind, since: number, upto: number): AggregatedChange[] {
    const byId = new Map<string, AggregatedChange>();
    for (let i = this.firstLogIndexAfter(since); i < this.log.length; i++) {
      const entry = this.log[i];
      if (!entry || entry.seq > upto) break;
      if (entry.kind !== kind) continue;
      let agg = byId.get(entry.id);
      if (!agg) byId.set(entry.id, (agg = { id: entry.id, props: new Set(), members: new Set() }));
      if (entry.props === null) agg.props = null;
      else if (agg.props) for (const p of entry.props) agg.props.add(p);
      for (const m of entry.members ?? []) agg.members.add(m);
    }
    return [...byId.values()];
  }

  // ---- whole-tenant operations ----------------------------------------------------------------

  clear(): void {
    this.users.clear();
    this.groups.clear();
    this.presence.clear();
    this.presenceChanges.clear();
    this.members.clear();
    this.memberOf.clear();
    this.upnIndex.clear();
    this.mailboxes.clear();
    this.log = [];
    this.epoch++;
  }

  /** Adds pre-built objects without logging changes (used by the generator and by load). */
  bulkLoad(snapshot: TenantSnapshot): void {
    for (const user of snapshot.users) {
      this.users.add(user);
      if (user.deletedDateTime === null) this.upnIndex.set(user.userPrincipalName.toLowerCase(), user.id);
    }
    for (const { members, ...group } of snapshot.groups) {
      this.groups.add(group);
      this.members.set(group.id, new Set(members));
      for (const m of members) {
        let parents = this.memberOf.get(m);
        if (!parents) this.memberOf.set(m, (parents = new Set()));
        parents.add(group.id);
      }
    }
    this.mailboxes.load(snapshot.mailboxes);
    for (const [id, p] of Object.entries(snapshot.presence)) this.presence.set(id, p);
    this.epoch++;
  }

  snapshot(): TenantSnapshot {
    return {
      users: [...this.users.all()],
      groups: [...this.groups.all()].map((g) => ({ ...g, members: [...this.membersOf(g.id)] })),
      mailboxes: this.mailboxes.snapshot(),
      presence: Object.fromEntries(this.presence),
    };
  }

  // ---- internals ------------------------------------------------------------------------------

  requireUser(id: string): SimUser {
    const user = this.users.getLive(id);
    if (!user) throw new TenantError(404, `Resource '${id}' does not exist.`);
    return user;
  }

  requireGroup(id: string): SimGroup {
    const group = this.groups.getLive(id);
    if (!group) throw new TenantError(404, `Resource '${id}' does not exist.`);
    return group;
  }

  private removeFromAllGroups(memberId: string): void {
    for (const groupId of this.memberOf.get(memberId) ?? []) {
      this.members.get(groupId)?.delete(memberId);
      this.record('group', groupId, ['members'], 'updated', [memberId]);
    }
    this.memberOf.delete(memberId);
  }

  private firstLogIndexAfter(seq: number): number {
    let lo = 0;
    let hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.log[mid]?.seq ?? 0) <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private record(
    kind: ObjectKind,
    id: string,
    props: readonly string[] | null,
    changeType: TenantEvent['changeType'],
    members?: readonly string[],
  ): void {
    this.log.push({ seq: ++this.seq, kind, id, props, ...(members ? { members } : {}) });
    this.emit({ resource: kind, id, changeType });
  }

  private emit(event: TenantEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
