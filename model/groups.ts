/**
 * Entra groups → PBX extension groups and organizations.
 *
 * Rule for users in several chosen groups: a user joins every chosen extension group they belong to
 * (the PBX allows that), but gets ONE organization and ONE number range from the sync — the first group
 * in the configured order — with a note naming the groups passed over. One organization keeps the
 * result predictable and the diff a single value; priority order is the operator's tie-breaker.
 */
import type { SyncPolicy } from './policy.js';
import { MAX_EXTENSION_GROUP_NAME_LENGTH, MAX_EXTENSION_GROUPS, MAX_ORGANIZATION_LENGTH } from './limits.js';
import { describeUser } from './user-mapping.js';
import type { GroupMembership } from './scope.js';
import { cleanDisplayText, truncateText } from './text.js';
import type { DesiredExtension, ExistingExtensionGroup, FieldIssue, ObjectId, PbxObjectId } from './types.js';

export function extensionGroupName(displayName: string): string {
  return truncateText(cleanDisplayText(displayName).text, MAX_EXTENSION_GROUP_NAME_LENGTH);
}

export function organizationName(displayName: string): string {
  return truncateText(cleanDisplayText(displayName).text, MAX_ORGANIZATION_LENGTH);
}

/** Sets `organization` and `numberGroupId` from the user's (transitive) groups. */
export function assignGroupDerivedFields(
  extension: DesiredExtension,
  userGroups: readonly ObjectId[],
  groupNames: Readonly<Record<ObjectId, string>>,
  policy: Pick<SyncPolicy, 'groups' | 'numbers'>,
): { extension: DesiredExtension; notes: FieldIssue[] } {
  const notes: FieldIssue[] = [];
  const nameOf = (id: ObjectId) => groupNames[id] ?? id;
  const pick = (field: string, ordered: readonly ObjectId[], setting: string, what: string) => {
    const matches = ordered.filter((id) => userGroups.includes(id));
    if (matches.length > 1) {
      notes.push({
        field,
        reason:
          `${describeUser(extension)}: ${field}: member of ${matches.map(nameOf).join(', ')}; ` +
          `${what} comes from the first listed in ${setting}: ${nameOf(matches[0]!)}`,
      });
    }
    return matches[0];
  };

  const numberGroupId = pick(
    'number',
    policy.numbers.groupRanges.map((g) => g.groupId),
    'numbers.groupRanges',
    'the number range',
  );
  let organization: string | undefined;
  if (policy.groups.organizationSource === 'department') {
    organization = extension.department || undefined;
  } else if (policy.groups.organizationSource === 'groups') {
    const groupId = pick(
      'organization',
      policy.groups.organizationGroups,
      'groups.organizationGroups',
      'an extension has one organization from the sync; it',
    );
    organization = groupId === undefined ? undefined : organizationName(nameOf(groupId)) || undefined;
  }

  const { numberGroupId: _n, organization: _o, ...rest } = extension;
  return {
    extension: {
      ...rest,
      ...(numberGroupId !== undefined && { numberGroupId }),
      ...(organization !== undefined && { organization }),
    },
    notes,
  };
}

export interface ExtensionGroupPlanInput {
  /** `groups.extensionGroups`, in priority order. */
  chosen: readonly ObjectId[];
  groupNames: Readonly<Record<ObjectId, string>>;
  membership: GroupMembership;
  /** Users that have, or get in this plan, an extension managed by the sync. */
  managedUsers: readonly ObjectId[];
  /** PBX extension id → owner, for managed extensions. */
  extensionOwners: Readonly<Record<PbxObjectId, ObjectId>>;
  existing: readonly ExistingExtensionGroup[];
  upsertOnly: boolean;
}

export interface ExtensionGroupChange {
  groupId: ObjectId;
  extensionGroupId: PbxObjectId;
  rename?: { from: string; to: string };
  addObjectIds: ObjectId[];
  removeExtensionIds: PbxObjectId[];
}

export interface ExtensionGroupPlan {
  creates: { groupId: ObjectId; name: string; memberObjectIds: ObjectId[] }[];
  updates: ExtensionGroupChange[];
  /** Managed extension groups whose Entra group is no longer chosen. */
  deletes: { groupId: ObjectId; extensionGroupId: PbxObjectId; name: string }[];
  skipped: { groupId: ObjectId; name: string; reason: string }[];
  unchanged: number;
}

/**
 * The PBX's extension groups as the planner sees them. The PBX has no field to mark a group as synced, so a
 * group named as a chosen Entra group's extension group is taken as that group's.
 */
export function recognizeExtensionGroups(
  pbxGroups: readonly { id: PbxObjectId; name: string; memberIds: readonly PbxObjectId[] }[],
  chosenGroups: readonly { id: ObjectId; displayName: string }[],
): ExistingExtensionGroup[] {
  const byName = new Map(chosenGroups.map((g) => [extensionGroupName(g.displayName).toLowerCase(), g.id]));
  return pbxGroups.map((g) => {
    const managedBy = byName.get(g.name.toLowerCase());
    return {
      id: g.id,
      name: g.name,
      memberExtensionIds: [...g.memberIds],
      ...(managedBy ? { managedBy } : {}),
    };
  });
}

/**
 * Chosen groups are served in order until the PBX's 63 slots are used; PBX-managed groups (no marker)
 * keep their slots and names and their non-synced members are never removed.
 */
export function planExtensionGroups(input: ExtensionGroupPlanInput): ExtensionGroupPlan {
  const plan: ExtensionGroupPlan = { creates: [], updates: [], deletes: [], skipped: [], unchanged: 0 };
  const chosen = [...new Set(input.chosen)];
  const managedByGroup = new Map(
    input.existing.filter((g) => g.managedBy !== undefined).map((g) => [g.managedBy!, g]),
  );
  const unmanaged = input.existing.filter((g) => g.managedBy === undefined);
  const usedNames = new Map(
    unmanaged.map((g) => [g.name.toLowerCase(), `the PBX-managed extension group "${g.name}"`]),
  );
  const managedUsers = new Set(input.managedUsers);

  const orphans = [...managedByGroup.values()].filter((g) => !chosen.includes(g.managedBy!));
  if (input.upsertOnly)
    orphans.forEach((g) => usedNames.set(g.name.toLowerCase(), `extension group "${g.name}"`));
  else plan.deletes = orphans.map((g) => ({ groupId: g.managedBy!, extensionGroupId: g.id, name: g.name }));
  let free = MAX_EXTENSION_GROUPS - unmanaged.length - (input.upsertOnly ? orphans.length : 0);

  for (const groupId of chosen) {
    const displayName = input.groupNames[groupId];
    const skip = (name: string, reason: string) => plan.skipped.push({ groupId, name, reason });
    if (displayName === undefined) {
      skip(groupId, 'the group was not found in Entra ID (deleted, or not readable)');
      continue;
    }
    const name = extensionGroupName(displayName);
    if (!name) {
      skip(displayName, 'its name has no characters the PBX accepts');
      continue;
    }
    const clash = usedNames.get(name.toLowerCase());
    if (clash !== undefined) {
      skip(displayName, `its PBX name "${name}" is already used by ${clash}`);
      continue;
    }
    if (free <= 0) {
      skip(
        displayName,
        `the PBX holds at most ${MAX_EXTENSION_GROUPS} extension groups (${unmanaged.length} are PBX-managed); ` +
          'groups listed earlier in groups.extensionGroups took the remaining slots',
      );
      continue;
    }
    free--;
    usedNames.set(name.toLowerCase(), `the Entra group "${displayName}"`);
    const wanted = (input.membership.usersByGroup[groupId] ?? []).filter((id) => managedUsers.has(id));
    const existing = managedByGroup.get(groupId);
    if (!existing) {
      plan.creates.push({ groupId, name, memberObjectIds: wanted });
      continue;
    }
    const change = diffMembers(groupId, existing, name, wanted, input.extensionOwners);
    if (change) plan.updates.push(change);
    else plan.unchanged++;
  }
  return plan;
}

function diffMembers(
  groupId: ObjectId,
  existing: ExistingExtensionGroup,
  name: string,
  wanted: readonly ObjectId[],
  owners: Readonly<Record<PbxObjectId, ObjectId>>,
): ExtensionGroupChange | undefined {
  const wantedSet = new Set(wanted);
  const present = new Set<ObjectId>();
  const removeExtensionIds: PbxObjectId[] = [];
  for (const extensionId of existing.memberExtensionIds) {
    const owner = owners[extensionId];
    if (owner === undefined) continue;
    if (wantedSet.has(owner)) present.add(owner);
    else removeExtensionIds.push(extensionId);
  }
  const addObjectIds = wanted.filter((id) => !present.has(id));
  const rename = existing.name === name ? undefined : { from: existing.name, to: name };
  if (!rename && addObjectIds.length === 0 && removeExtensionIds.length === 0) return undefined;
  return {
    groupId,
    extensionGroupId: existing.id,
    ...(rename && { rename }),
    addObjectIds,
    removeExtensionIds,
  };
}

/** Organization names the desired extensions use that the PBX does not have yet (case-insensitive). */
export function organizationsToCreate(
  desired: readonly Pick<DesiredExtension, 'organization'>[],
  existingNames: readonly string[],
): string[] {
  const known = new Set(existingNames.map((n) => n.toLowerCase()));
  const missing = new Map<string, string>();
  for (const { organization } of desired) {
    if (organization && !known.has(organization.toLowerCase()))
      missing.set(organization.toLowerCase(), organization);
  }
  return [...missing.values()].sort();
}
