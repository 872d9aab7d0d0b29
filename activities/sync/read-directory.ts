import { ApplicationFailure } from '@temporalio/common';
import { GraphFailure, SyncFailure } from '../../contracts/index.js';
import { readAll, type GraphSource } from '../graph/index.js';
import type { DirectoryGroup, DirectoryUser, SyncPolicy } from '../../model/index.js';

export interface DirectorySnapshot {
  users: DirectoryUser[];
  groups: DirectoryGroup[];
}

/** Where the policy names groups, as the configuration file spells the setting. */
const GROUP_SETTINGS: readonly [setting: string, ids: (policy: SyncPolicy) => readonly string[]][] = [
  ['sync.scope.groups', (p) => p.scope.groups],
  ['sync.groups.extensionGroups', (p) => p.groups.extensionGroups],
  ['sync.groups.organizationGroups', (p) => p.groups.organizationGroups],
  ['sync.numbers.groupRanges', (p) => p.numbers.groupRanges.map((range) => range.groupId)],
];

/** The settings that name this group, e.g. `sync.scope.groups`. */
const settingsNaming = (policy: SyncPolicy, groupId: string): string =>
  GROUP_SETTINGS.flatMap(([setting, ids]) => (ids(policy).includes(groupId) ? [setting] : [])).join(', ');

/** Groups the policy names anywhere: scope, extension groups, organizations, number ranges. */
export function chosenGroupIds(policy: SyncPolicy): string[] {
  return [...new Set(GROUP_SETTINGS.flatMap(([, ids]) => ids(policy)))];
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

/**
 * The groups the policy names (see `chosenGroupIds`) with their transitive members; none when it names none.
 * A chosen group that cannot be read fails the read: taken as empty, its members would look out of scope.
 */
export async function readChosenGroups(
  graph: GraphSource,
  policy: SyncPolicy,
  onPage: () => void,
): Promise<DirectoryGroup[]> {
  const chosen = chosenGroupIds(policy);
  if (chosen.length === 0) return [];
  const allGroups = await unreadableAs(policy, chosen, () =>
    readAll((cursor) => graph.readGroupsPage(cursor ? { cursor } : {}), onPage),
  );
  const listed = new Set(allGroups.map((g) => g.id));
  const missing = chosen.filter((id) => !listed.has(id));
  if (missing.length > 0) throw chosenGroupsUnreadable(policy, missing);
  const groups: DirectoryGroup[] = [];
  for (const group of allGroups.filter((g) => chosen.includes(g.id))) {
    const members = await unreadableAs(policy, [group.id], () =>
      readAll(
        (cursor) => graph.readGroupMembersPage(group.id, { transitive: true, ...(cursor ? { cursor } : {}) }),
        onPage,
      ),
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

/** A 403 or 404 while reading chosen groups, as a failure that names them (other failures pass unchanged). */
async function unreadableAs<T>(policy: SyncPolicy, groupIds: string[], read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    const unreadable =
      error instanceof ApplicationFailure &&
      (error.type === GraphFailure.NotFound || error.type === GraphFailure.PermissionDenied);
    throw unreadable ? chosenGroupsUnreadable(policy, groupIds, error) : error;
  }
}

/**
 * Non-retryable: a deleted group stays deleted, and a withdrawn permission needs an administrator. Each group is
 * named with the settings that name it, so the operator knows what to fix. Without a cause, the groups were
 * missing from the list of groups.
 */
function chosenGroupsUnreadable(
  policy: SyncPolicy,
  groupIds: readonly string[],
  cause?: ApplicationFailure,
): ApplicationFailure {
  const groups = groupIds.map((id) => `${id} (in ${settingsNaming(policy, id)})`).join(', ');
  const reason =
    cause?.type === GraphFailure.PermissionDenied
      ? cause.message
      : 'not in Entra ID (deleted?); remove or replace them in the configuration';
  return ApplicationFailure.create({
    type: SyncFailure.ChosenGroupUnreadable,
    message: `cannot read the chosen groups ${groups}, so nothing is synced or offboarded: ${reason}`,
    nonRetryable: true,
    ...(cause ? { cause } : {}),
  });
}
