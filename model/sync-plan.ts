/**
 * The sync plan: the diff between the in-scope directory and the PBX, with every per-user problem reported
 * instead of thrown. A full sync plans the whole tenant in one call; a delta round and `user resync` plan
 * one user at a time against the same ledger. Identity is the Entra object id; an extension is found through
 * the link, then (if allowed) by the email; only then is one created.
 *
 * Longer than most files here because the planner is one class on purpose: its passes (duplicate emails,
 * linked users, adoptions, creates, offboarding, groups) share the same indexes of the PBX and the links and
 * must run in this order; split apart they would pass those indexes around or rebuild them.
 */
import type { SyncPolicy } from './policy.js';
import { organizationsToCreate, planExtensionGroups, type ExtensionGroupPlan } from './groups.js';
import { describeUser } from './user-mapping.js';
import {
  allocateAll,
  isPbxManaged,
  type AllocationRequest,
  type AllocationSource,
  type NumberState,
} from './numbers.js';
import { diffExtension, type FieldChange } from './extension-diff.js';
import type { GroupMembership } from './scope.js';
import type {
  DesiredExtension,
  DirectoryEntry,
  ExistingExtension,
  ExistingExtensionGroup,
  ExtensionLink,
  ExtensionNumber,
  ObjectId,
  OutOfScopeReason,
  PbxObjectId,
  UserIssue,
  UserRef,
} from './types.js';

export interface GroupPlanInput {
  membership: GroupMembership;
  groupNames: Record<ObjectId, string>;
  existing: ExistingExtensionGroup[];
  existingOrganizations: string[];
}

export interface PlanInput {
  /** Every user the source read returned; users absent here count as deleted from Entra ID. */
  directory: Record<ObjectId, DirectoryEntry>;
  links: Record<ObjectId, ExtensionLink>;
  /** The PBX's extensions: a linked one absent here is planned as gone, so the caller must have confirmed that. */
  existing: ExistingExtension[];
  numbers: NumberState;
  policy: SyncPolicy;
  now: string;
  groups?: GroupPlanInput;
}

export interface PlannedCreate {
  extension: DesiredExtension;
  number: ExtensionNumber;
}

export interface PlannedUpdate extends UserRef {
  extensionId: PbxObjectId;
  number: ExtensionNumber;
  changes: FieldChange[];
}

/** An extension found by the user's email (no link yet), taken over when the policy allows it. */
export type PlannedAdoption = PlannedUpdate;

export type OffboardReason = Exclude<OutOfScopeReason, 'ignored'> | 'deleted';

export interface PlannedOffboard {
  objectId: ObjectId;
  /** UPN when the directory still knows the user, else the extension's name and email. */
  name: string;
  extensionId: PbxObjectId;
  number: ExtensionNumber;
  reason: OffboardReason;
  /** The extension is already gone from the PBX: only the link and number are released. */
  extensionMissing?: boolean;
}

export interface NumberAssignment {
  objectId: ObjectId;
  number: ExtensionNumber;
  source: AllocationSource | 'adopted';
}

export interface GroupChanges {
  extensionGroups: ExtensionGroupPlan;
  organizationsToCreate: string[];
}

export interface SyncPlan {
  creates: PlannedCreate[];
  updates: PlannedUpdate[];
  adoptions: PlannedAdoption[];
  disables: PlannedOffboard[];
  deletes: PlannedOffboard[];
  numberAssignments: NumberAssignment[];
  unchanged: number;
  /** Disabled extensions still inside their grace period. */
  waitingForGrace: number;
  /** Users that cannot sync; their existing extensions are left as they are. */
  errors: UserIssue[];
  notes: UserIssue[];
  groupChanges?: GroupChanges;
}

const DAY_MS = 86_400_000;

export function planChanges(input: PlanInput): SyncPlan {
  return new Planner(input).plan();
}

class Planner {
  private readonly result: SyncPlan = {
    creates: [],
    updates: [],
    adoptions: [],
    disables: [],
    deletes: [],
    numberAssignments: [],
    unchanged: 0,
    waitingForGrace: 0,
    errors: [],
    notes: [],
  };
  private readonly policy: SyncPolicy;
  private readonly byId: Map<PbxObjectId, ExistingExtension>;
  private readonly byEmail: Map<string, ExistingExtension>;
  private readonly linkOwner: Map<PbxObjectId, ObjectId>;
  private readonly blocked = new Set<ObjectId>();
  /** Users whose extension the sync manages after this plan, and who owns which extension. */
  private readonly managed = new Set<ObjectId>();
  private readonly extensionOwners: Record<PbxObjectId, ObjectId> = {};

  constructor(private readonly input: PlanInput) {
    this.policy = input.policy;
    this.byId = new Map(input.existing.map((e) => [e.id, e]));
    this.byEmail = new Map(input.existing.filter((e) => e.email).map((e) => [e.email.toLowerCase(), e]));
    this.linkOwner = new Map(Object.entries(input.links).map(([owner, link]) => [link.extensionId, owner]));
  }

  plan(): SyncPlan {
    const desired = Object.values(this.input.directory)
      .flatMap((entry) => (entry.kind === 'in-scope' ? [entry.extension] : []))
      .sort((a, b) => compare(a.objectId, b.objectId));
    for (const entry of Object.values(this.input.directory)) {
      if (entry.kind === 'invalid')
        this.result.errors.push(...entry.errors.map((e) => ({ ...ref(entry.user), ...e })));
    }
    this.rejectDuplicateEmails(desired);
    const creates: DesiredExtension[] = [];
    for (const user of desired) {
      const linked = this.linkedExtension(user.objectId);
      // A linked user keeps their extension (and group memberships) even while an error blocks changes.
      if (linked) this.manageLinked(user.objectId, linked);
      if (!this.blocked.has(user.objectId) && !this.planExistingFor(user, linked)) creates.push(user);
    }
    this.planCreates(creates);
    this.planOffboarding();
    this.planGroups(desired);
    this.result.errors.sort((a, b) => compare(a.objectId, b.objectId));
    return this.result;
  }

  private rejectDuplicateEmails(desired: readonly DesiredExtension[]): void {
    const byEmail = new Map<string, DesiredExtension[]>();
    for (const user of desired)
      byEmail.set(user.email.toLowerCase(), [...(byEmail.get(user.email.toLowerCase()) ?? []), user]);
    for (const [email, users] of byEmail) {
      if (users.length < 2) continue;
      // The user already linked to the extension with this email keeps it; the newcomers are refused.
      const keeper = users.find((u) => this.linkedExtension(u.objectId)?.email.toLowerCase() === email);
      for (const user of users) {
        if (user === keeper) continue;
        const others = users
          .filter((u) => u !== user)
          .map(describeUser)
          .join(', ');
        this.error(
          user,
          'email',
          `email ${email} is also the email of ${others}; the PBX needs a unique email per extension`,
        );
      }
    }
  }

  /** Plans an update or adoption; false when the user needs a new extension. */
  private planExistingFor(user: DesiredExtension, linked: ExistingExtension | undefined): boolean {
    const link = this.input.links[user.objectId];
    if (linked) {
      if (isPbxManaged(linked.number, this.policy.numbers)) {
        this.note(user, 'number', `extension ${linked.number} is PBX-managed; the sync leaves it alone`);
      } else if (this.emailIsFree(user, linked)) {
        this.noteUnusedRequest(user, linked.number);
        const changes = diffExtension(user, linked, link);
        if (changes.length > 0)
          this.result.updates.push({ ...ref(user), extensionId: linked.id, number: linked.number, changes });
        else this.result.unchanged++;
      }
      return true;
    }
    const candidate = this.byEmail.get(user.email.toLowerCase());
    if (!candidate) return false;
    this.planAdoption(user, candidate);
    return true;
  }

  private planAdoption(user: DesiredExtension, candidate: ExistingExtension): void {
    const used = `email ${user.email} is already used by extension ${candidate.number}`;
    const otherOwner = this.linkOwner.get(candidate.id);
    const numberHolder = this.input.numbers.assigned[candidate.number];
    if (otherOwner !== undefined && otherOwner !== user.objectId) {
      this.error(user, 'email', `${used}, which belongs to ${this.nameOf(otherOwner)}`);
    } else if (isPbxManaged(candidate.number, this.policy.numbers)) {
      this.error(user, 'email', `${used}, which is PBX-managed`);
    } else if (!this.policy.adoptExistingByEmail) {
      this.error(user, 'email', `${used} and adoptExistingByEmail is off`);
    } else if (numberHolder !== undefined && numberHolder !== user.objectId) {
      this.error(
        user,
        'number',
        `extension ${candidate.number} has a number that belongs to ${this.nameOf(numberHolder)}`,
      );
    } else if (this.emailIsFree(user, candidate)) {
      this.manageLinked(user.objectId, candidate);
      this.noteUnusedRequest(user, candidate.number);
      this.result.adoptions.push({
        ...ref(user),
        extensionId: candidate.id,
        number: candidate.number,
        changes: diffExtension(user, candidate, undefined),
      });
      this.result.numberAssignments.push({
        objectId: user.objectId,
        number: candidate.number,
        source: 'adopted',
      });
    }
  }

  private planCreates(users: readonly DesiredExtension[]): void {
    const requests = users.map((user): AllocationRequest => {
      const preferred = this.input.links[user.objectId]?.number ?? user.requestedNumber;
      return {
        owner: user.objectId,
        ...(preferred !== undefined && { preferred }),
        ...(user.numberGroupId !== undefined && { groupId: user.numberGroupId }),
      };
    });
    const occupied = Object.fromEntries(
      this.input.existing.map((e) => [e.number, `extension ${e.number} (${label(e)})`]),
    );
    const { outcomes } = allocateAll(this.input.numbers, requests, {
      policy: this.policy.numbers,
      now: this.input.now,
      occupied,
    });
    users.forEach((user, i) => {
      const outcome = outcomes[i]!;
      if (!outcome.ok) {
        const reason =
          outcome.conflictOwner === undefined
            ? outcome.reason
            : `number ${requests[i]!.preferred} already belongs to ${this.nameOf(outcome.conflictOwner)}`;
        this.error(user, 'number', reason);
        return;
      }
      this.managed.add(user.objectId);
      this.result.creates.push({ extension: user, number: outcome.number });
      this.result.numberAssignments.push({
        objectId: user.objectId,
        number: outcome.number,
        source: outcome.source,
      });
      this.noteUnusedRequest(user, outcome.number);
    });
  }

  private planOffboarding(): void {
    const graceMs = this.policy.offboarding.graceDays * DAY_MS;
    const links = Object.entries(this.input.links).sort(([a], [b]) => compare(a, b));
    for (const [objectId, link] of links) {
      const entry = this.input.directory[objectId];
      const extension = this.byId.get(link.extensionId);
      if (entry?.kind === 'invalid' && extension) this.manageLinked(objectId, extension);
      if (entry?.kind === 'in-scope' || entry?.kind === 'invalid') continue;
      if (entry?.reason === 'ignored' || this.policy.upsertOnly) continue;
      if (extension && isPbxManaged(extension.number, this.policy.numbers)) continue;
      const item: PlannedOffboard = {
        objectId,
        name: entry ? describeUser(entry.user) : extension ? label(extension) : objectId,
        extensionId: link.extensionId,
        number: link.number,
        reason: entry?.reason ?? 'deleted',
      };
      if (!extension) this.result.deletes.push({ ...item, extensionMissing: true });
      else if (link.disabledAt === undefined) this.result.disables.push(item);
      else if (Date.parse(this.input.now) - Date.parse(link.disabledAt) >= graceMs)
        this.result.deletes.push(item);
      else this.result.waitingForGrace++;
    }
  }

  private planGroups(desired: readonly DesiredExtension[]): void {
    const groups = this.input.groups;
    if (!groups) return;
    this.result.groupChanges = {
      extensionGroups: planExtensionGroups({
        chosen: this.policy.groups.extensionGroups,
        groupNames: groups.groupNames,
        membership: groups.membership,
        managedUsers: [...this.managed],
        extensionOwners: this.extensionOwners,
        existing: groups.existing,
        upsertOnly: this.policy.upsertOnly,
      }),
      organizationsToCreate: organizationsToCreate(
        desired.filter((d) => this.managed.has(d.objectId)),
        groups.existingOrganizations,
      ),
    };
  }

  private emailIsFree(user: DesiredExtension, target: ExistingExtension): boolean {
    const holder = this.byEmail.get(user.email.toLowerCase());
    if (!holder || holder.id === target.id) return true;
    this.error(
      user,
      'email',
      `cannot set email ${user.email}: extension ${holder.number} (${label(holder)}) already uses it`,
    );
    return false;
  }

  private noteUnusedRequest(user: DesiredExtension, number: ExtensionNumber): void {
    if (user.requestedNumber !== undefined && user.requestedNumber !== number) {
      this.note(
        user,
        'number',
        `the number attribute asks for ${user.requestedNumber} but the user keeps ${number}: extensions are not renumbered`,
      );
    }
  }

  private manageLinked(objectId: ObjectId, extension: ExistingExtension): void {
    this.managed.add(objectId);
    this.extensionOwners[extension.id] = objectId;
  }

  private linkedExtension(objectId: ObjectId): ExistingExtension | undefined {
    const link = this.input.links[objectId];
    return link ? this.byId.get(link.extensionId) : undefined;
  }

  private nameOf(objectId: ObjectId): string {
    const entry = this.input.directory[objectId];
    if (!entry) return objectId;
    return describeUser(entry.kind === 'in-scope' ? entry.extension : entry.user);
  }

  private error(user: UserRef, field: string, reason: string): void {
    this.blocked.add(user.objectId);
    this.result.errors.push({ ...ref(user), field, reason: `${describeUser(user)}: ${reason}` });
  }

  private note(user: UserRef, field: string, reason: string): void {
    this.result.notes.push({ ...ref(user), field, reason: `${describeUser(user)}: ${reason}` });
  }
}

function ref(user: UserRef): UserRef {
  return { objectId: user.objectId, userPrincipalName: user.userPrincipalName };
}

function label(extension: ExistingExtension): string {
  const name = `${extension.firstName} ${extension.lastName}`.trim();
  return [name, extension.email && `<${extension.email}>`].filter(Boolean).join(' ') || `id ${extension.id}`;
}

/** Code-unit order: deterministic in every runtime, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
