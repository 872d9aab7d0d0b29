/** One pass over the directory read: scope, mapping and group-derived fields for every user. */
import type { SyncPolicy } from './policy.js';
import { assignGroupDerivedFields } from './groups.js';
import { mapUser } from './user-mapping.js';
import { evaluateScope, resolveGroupMembership, type GroupMembership } from './scope.js';
import type { DirectoryEntry, DirectoryGroup, DirectoryUser, ObjectId, UserIssue } from './types.js';

export interface DirectoryEvaluation {
  entries: Record<ObjectId, DirectoryEntry>;
  membership: GroupMembership;
  groupNames: Record<ObjectId, string>;
  /** Warnings for users that still sync (characters removed, group tie-breaks). */
  notes: UserIssue[];
}

export function evaluateDirectory(
  users: readonly DirectoryUser[],
  groups: readonly DirectoryGroup[],
  policy: SyncPolicy,
): DirectoryEvaluation {
  const membership = resolveGroupMembership(groups);
  const groupNames = Object.fromEntries(groups.map((g) => [g.id, g.displayName]));
  const entries: Record<ObjectId, DirectoryEntry> = {};
  const notes: UserIssue[] = [];
  for (const user of users) {
    const ref = { objectId: user.id, userPrincipalName: user.userPrincipalName };
    const scope = evaluateScope(user, policy, membership);
    if (!scope.inScope) {
      entries[user.id] = { kind: 'out-of-scope', user: ref, reason: scope.reason };
      continue;
    }
    const mapped = mapUser(user, policy);
    if (!mapped.ok) {
      entries[user.id] = { kind: 'invalid', user: mapped.user, errors: mapped.errors };
      continue;
    }
    const derived = assignGroupDerivedFields(
      mapped.extension,
      membership.groupsByUser[user.id] ?? [],
      groupNames,
      policy,
    );
    entries[user.id] = { kind: 'in-scope', extension: derived.extension };
    for (const issue of [...mapped.warnings, ...derived.notes]) notes.push({ ...ref, ...issue });
  }
  return { entries, membership, groupNames, notes };
}
