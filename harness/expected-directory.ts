import type { SimGroup, SimUser } from '../simulators/graph/index.js';

/**
 * The test oracle for "who must have an extension after a full sync", computed from the Graph simulator's own
 * data (never from the product's plan): enabled accounts of the chosen user types, not ignored, in the scope
 * groups when there are any, and with an email no other such user has (the PBX needs a unique email per
 * extension, so users sharing one are refused).
 */
export interface ExpectedScope {
  /** The policy's `scope.userTypes` (default `all`). */
  userTypes?: 'all' | 'members' | 'guests';
  /** The policy's `ignore`: object ids, UPNs or emails, matched case-insensitively. */
  ignore?: readonly string[];
  /** Transitive user members of the policy's `scope.groups`; undefined = no scope group. */
  scopeGroupMembers?: ReadonlySet<string> | readonly string[];
}

/** The email the default mapping gives a user: mail (unless blank), else the UPN; trimmed and lowercased. */
export const emailOf = (user: Pick<SimUser, 'mail' | 'userPrincipalName'>): string =>
  (user.mail?.trim() || user.userPrincipalName).trim().toLowerCase();

const isIgnored = (user: SimUser, ignore: readonly string[]): boolean => {
  const keys = [user.id, user.userPrincipalName, user.mail].flatMap((k) => (k ? [k.toLowerCase()] : []));
  return ignore.some((entry) => keys.includes(entry.toLowerCase()));
};

/** The users a full sync must give an extension (in the simulator's order). */
export function expectedSyncedUsers(graphUsers: readonly SimUser[], scope: ExpectedScope = {}): SimUser[] {
  const { userTypes = 'all', ignore = [] } = scope;
  const scopeGroup = scope.scopeGroupMembers === undefined ? undefined : new Set(scope.scopeGroupMembers);
  const inScope = graphUsers.filter(
    (user) =>
      user.accountEnabled &&
      (userTypes === 'all' || user.userType === (userTypes === 'members' ? 'Member' : 'Guest')) &&
      !isIgnored(user, ignore) &&
      (scopeGroup === undefined || scopeGroup.has(user.id)),
  );
  const holders = new Map<string, number>();
  for (const user of inScope) holders.set(emailOf(user), (holders.get(emailOf(user)) ?? 0) + 1);
  return inScope.filter((user) => holders.get(emailOf(user)) === 1);
}

/** A group's users with nested groups resolved, from the simulator's `listGroups()` (direct members). */
export function transitiveUserMembers(
  groups: readonly (SimGroup & { members: string[] })[],
  groupId: string,
): Set<string> {
  const byId = new Map(groups.map((g) => [g.id, g]));
  const users = new Set<string>();
  const seen = new Set<string>();
  const pending = [groupId];
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const member of byId.get(id)?.members ?? []) {
      if (byId.has(member)) pending.push(member);
      else users.add(member);
    }
  }
  return users;
}
