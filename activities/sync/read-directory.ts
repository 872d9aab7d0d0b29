import { readAll, type GraphSource } from '../graph/index.js';
import type { DirectoryGroup, DirectoryUser, SyncPolicy } from '../../model/index.js';

export interface DirectorySnapshot {
  users: DirectoryUser[];
  groups: DirectoryGroup[];
}

/** Groups the policy names anywhere: scope, extension groups, organizations, number ranges. */
export function chosenGroupIds(policy: SyncPolicy): string[] {
  return [
    ...new Set([
      ...policy.scope.groups,
      ...policy.groups.extensionGroups,
      ...policy.groups.organizationGroups,
      ...policy.numbers.groupRanges.map((range) => range.groupId),
    ]),
  ];
}

/**
 * Reads every user, and the chosen groups with their transitive members. Throws if any page fails, so a
 * partial read can never be mistaken for users that left.
 */
export async function readDirectory(
  graph: GraphSource,
  policy: SyncPolicy,
  onPage: () => void,
): Promise<DirectorySnapshot> {
  const users = await readAll((cursor) => graph.readUsersPage(cursor ? { cursor } : {}), onPage);
  return { users, groups: await readChosenGroups(graph, policy, onPage) };
}

/** The groups the policy names (see `chosenGroupIds`) with their transitive members; none when it names none. */
export async function readChosenGroups(
  graph: GraphSource,
  policy: SyncPolicy,
  onPage: () => void,
): Promise<DirectoryGroup[]> {
  const chosen = new Set(chosenGroupIds(policy));
  if (chosen.size === 0) return [];
  const allGroups = await readAll((cursor) => graph.readGroupsPage(cursor ? { cursor } : {}), onPage);
  const groups: DirectoryGroup[] = [];
  for (const group of allGroups.filter((g) => chosen.has(g.id))) {
    const members = await readAll(
      (cursor) => graph.readGroupMembersPage(group.id, { transitive: true, ...(cursor ? { cursor } : {}) }),
      onPage,
    );
    groups.push({
      id: group.id,
      displayName: group.displayName,
      memberUserIds: members.filter((m) => m.type === 'user').map((m) => m.id),
      memberGroupIds: members.filter((m) => m.type === 'group').map((m) => m.id),
    });
  }
  return groups;
}
