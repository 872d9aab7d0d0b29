/** Which Entra users the sync manages, and why the others are not managed. */
import { readAttribute } from './attributes.js';
import type { AttributeFilter, SyncPolicy } from './policy.js';
import type { DirectoryGroup, DirectoryUser, ObjectId, OutOfScopeReason } from './types.js';

/** Transitive membership (nested groups resolved), both ways, ids sorted. */
export interface GroupMembership {
  usersByGroup: Record<ObjectId, ObjectId[]>;
  groupsByUser: Record<ObjectId, ObjectId[]>;
}

/** Resolves nested groups; cycles and references to unknown groups are harmless. */
export function resolveGroupMembership(groups: readonly DirectoryGroup[]): GroupMembership {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const usersByGroup: Record<ObjectId, ObjectId[]> = {};
  const groupsByUser: Record<ObjectId, ObjectId[]> = {};
  for (const group of groups) {
    const users = [...transitiveUsers(group.id, byId)].sort();
    usersByGroup[group.id] = users;
    for (const user of users) (groupsByUser[user] ??= []).push(group.id);
  }
  for (const list of Object.values(groupsByUser)) list.sort();
  return { usersByGroup, groupsByUser };
}

function transitiveUsers(rootId: ObjectId, byId: ReadonlyMap<ObjectId, DirectoryGroup>): Set<ObjectId> {
  const users = new Set<ObjectId>();
  const visited = new Set<ObjectId>();
  const pending = [rootId];
  while (pending.length > 0) {
    const id = pending.pop()!;
    const group = byId.get(id);
    if (visited.has(id) || !group) continue;
    visited.add(id);
    for (const user of group.memberUserIds ?? []) users.add(user);
    pending.push(...(group.memberGroupIds ?? []));
  }
  return users;
}

/** The ignore list matches object id, UPN or mail, case-insensitively. */
export function isIgnored(
  ignore: readonly string[],
  user: Pick<DirectoryUser, 'id' | 'userPrincipalName' | 'mail'>,
): boolean {
  const keys = [user.id, user.userPrincipalName, user.mail].filter((k): k is string => typeof k === 'string');
  return ignore.some((entry) => keys.some((key) => key.toLowerCase() === entry.toLowerCase()));
}

export type ScopeDecision = { inScope: true } | { inScope: false; reason: OutOfScopeReason };

/**
 * A disabled account is out of scope: never onboarded, and for a managed user the reason to offboard.
 * `ignored` comes first because an ignored user must not even be offboarded.
 */
export function evaluateScope(
  user: DirectoryUser,
  policy: Pick<SyncPolicy, 'scope' | 'ignore'>,
  membership: GroupMembership,
): ScopeDecision {
  if (isIgnored(policy.ignore, user)) return { inScope: false, reason: 'ignored' };
  if (user.accountEnabled !== true) return { inScope: false, reason: 'disabled' };
  if (!userTypeMatches(policy.scope.userTypes, user.userType)) return { inScope: false, reason: 'user-type' };
  const chosen = policy.scope.groups;
  if (chosen.length > 0 && !(membership.groupsByUser[user.id] ?? []).some((g) => chosen.includes(g))) {
    return { inScope: false, reason: 'not-in-chosen-groups' };
  }
  const filter = policy.scope.attributeFilter;
  if (filter && !attributeFilterMatches(user, filter)) return { inScope: false, reason: 'attribute-filter' };
  return { inScope: true };
}

function userTypeMatches(
  allowed: SyncPolicy['scope']['userTypes'],
  userType: DirectoryUser['userType'],
): boolean {
  if (allowed === 'members') return userType === 'Member';
  if (allowed === 'guests') return userType === 'Guest';
  return true;
}

/** Case-insensitive; an unset attribute matches nothing. */
export function attributeFilterMatches(user: DirectoryUser, filter: AttributeFilter): boolean {
  const value = readAttribute(user, filter.attribute)?.trim().toLowerCase();
  if (value === undefined) return false;
  if (filter.equals !== undefined) return value === filter.equals.toLowerCase();
  if (filter.startsWith !== undefined) return value.startsWith(filter.startsWith.toLowerCase());
  return (filter.in ?? []).some((candidate) => candidate.toLowerCase() === value);
}
