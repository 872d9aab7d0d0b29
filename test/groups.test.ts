import { connectYeastar } from '../activities/pbx/index.js';
import type { SimulatedWorld } from '../harness/simulated-world.js';
import type { SyncPolicyInput } from '../model/index.js';
import type { SimUser } from '../simulators/graph/index.js';
import { emailOf, expectedSyncedUsers, transitiveUserMembers } from '../harness/expected-directory.js';
import type { SyncWorld, SyncWorldOptions } from './support/sync-world.js';
import { worldPerTest } from './support/world-per-test.js';

/** Entra groups → PBX extension groups and organizations, end to end on a real Temporal server. */
const worlds = worldPerTest();

async function startWorld(options: SyncWorldOptions): Promise<SyncWorld> {
  const world = await worlds.start({ seed: 11, ...options });
  return world;
}

/** Users of the generated tenant that a full sync gives an extension (enabled, unique email). */
const syncable = (world: SimulatedWorld): SimUser[] => expectedSyncedUsers(world.graph.control.listUsers());

interface Teams {
  sales: string;
  emea: string;
  dach: string;
  support: string;
  /** A disabled account (the generated Reception shared mailbox): a member, but never on the PBX. */
  disabled: SimUser;
  users: SimUser[];
}

/**
 * Sales = users 0, 1 and the disabled mailbox, plus nested Sales EMEA (users 2, 3), which nests Sales DACH
 * (user 4); Support = users 5, 6 and user 0, who is thus in both.
 */
function createTeams(world: SimulatedWorld): Teams {
  const graph = world.graph.control;
  const users = syncable(world).slice(0, 7);
  const disabled = graph.listUsers().find((u) => !u.accountEnabled)!;
  const group = (displayName: string, members: string[]) => {
    const id = graph.createGroup({ displayName }).id;
    for (const member of members) graph.addMember(id, member);
    return id;
  };
  const ids = users.map((u) => u.id);
  const dach = group('Sales DACH', [ids[4]!]);
  const emea = group('Sales EMEA', [ids[2]!, ids[3]!, dach]);
  const sales = group('Sales', [ids[0]!, ids[1]!, disabled.id, emea]);
  const support = group('Support', [ids[5]!, ids[6]!, ids[0]!]);
  return { sales, emea, dach, support, disabled, users };
}

const pbxState = () => worlds.current.world.pbx.control.state();

/** PBX requests other than reads and tokens since the counters were reset. */
const pbxWrites = () =>
  Object.entries(worlds.current.world.pbx.control.counters()).filter(
    ([endpoint]) => !/(^|\/)(list|search|get|query|get_token|refresh_token|del_token)$/.test(endpoint),
  );

/** PBX extension id by the email of its extension. */
const extensionIdsByEmail = () =>
  new Map(pbxState().extensions.map((e) => [e.email_addr.toLowerCase(), e.id]));

/** The extension ids the PBX group for `groupId` must hold: its transitive members that have an extension. */
function expectedMemberIds(groupId: string): number[] {
  const graph = worlds.current.world.graph.control;
  const members = transitiveUserMembers(graph.listGroups(), groupId);
  const ids = extensionIdsByEmail();
  return expectedSyncedUsers(graph.listUsers())
    .filter((user) => members.has(user.id))
    .map((user) => ids.get(emailOf(user))!)
    .sort((a, b) => a - b);
}

const pbxGroup = (name: string) => pbxState().extensionGroups.filter((g) => g.name === name);
const membersOf = (name: string) => [...(pbxGroup(name)[0]?.member_ids ?? [])].sort((a, b) => a - b);

/** The names of the organizations (below the root) an extension is in. */
function organizationsOf(user: SimUser): string[] {
  const { extensions, organizations } = pbxState();
  const extension = extensions.find((e) => e.email_addr.toLowerCase() === emailOf(user))!;
  return organizations
    .filter((o) => o.parent_id !== 0 && extension.organization_ids.includes(o.id))
    .map((o) => o.name);
}

test('each chosen Entra group becomes a PBX extension group named after it, holding exactly the extensions of its transitive members', async () => {
  let teams!: Teams;
  const tenant = await startWorld({
    users: 40,
    policy: (w): SyncPolicyInput => {
      teams = createTeams(w);
      return { groups: { extensionGroups: [teams.sales, teams.emea, teams.support] } };
    },
  });

  const result = await tenant.runFullSync();

  expect(result.groups).toMatchObject({ created: 3, updated: 0, deleted: 0, skipped: [] });
  expect(
    pbxState()
      .extensionGroups.map((g) => g.name)
      .sort(),
  ).toEqual(['Sales', 'Sales EMEA', 'Support']);
  for (const name of ['Sales', 'Sales EMEA', 'Support']) expect(pbxGroup(name)).toHaveLength(1);
  const ids = extensionIdsByEmail();
  const idOf = (index: number) => ids.get(emailOf(teams.users[index]!))!;
  const sorted = (indexes: number[]) => indexes.map(idOf).sort((a, b) => a - b);
  // Nested two levels deep; the disabled member has no extension; user 0 is in Sales and Support.
  expect(membersOf('Sales')).toEqual(sorted([0, 1, 2, 3, 4]));
  expect(membersOf('Sales EMEA')).toEqual(sorted([2, 3, 4]));
  expect(membersOf('Support')).toEqual(sorted([0, 5, 6]));
  for (const [name, groupId] of [
    ['Sales', teams.sales],
    ['Sales EMEA', teams.emea],
    ['Support', teams.support],
  ] as const)
    expect(membersOf(name)).toEqual(expectedMemberIds(groupId));
  expect(ids.has(emailOf(teams.disabled))).toBe(false);
});

test('members get the organization of the first chosen organization group they belong to; others get none', async () => {
  let teams!: Teams;
  const tenant = await startWorld({
    users: 40,
    policy: (w): SyncPolicyInput => {
      teams = createTeams(w);
      return { groups: { organizationSource: 'groups', organizationGroups: [teams.support, teams.sales] } };
    },
  });

  const result = await tenant.runFullSync();

  expect(result.phase).toBe('done');
  const [both, ...rest] = teams.users;
  expect(organizationsOf(both!)).toEqual(['Support']); // in Sales too, but Support is listed first
  for (const user of rest.slice(0, 4)) expect(organizationsOf(user)).toEqual(['Sales']);
  for (const user of rest.slice(4)) expect(organizationsOf(user)).toEqual(['Support']);
  const inTeams = new Set(teams.users.map((u) => u.id));
  for (const user of syncable(tenant.world).filter((u) => !inTeams.has(u.id)))
    expect(organizationsOf(user)).toEqual([]);
  expect(
    pbxState()
      .organizations.filter((o) => o.parent_id !== 0)
      .map((o) => o.name)
      .sort(),
  ).toEqual(['Sales', 'Support']);
});

test('a member removed in Entra (directly or from a nested group) leaves the PBX extension group at the next full sync', async () => {
  let teams!: Teams;
  const tenant = await startWorld({
    users: 40,
    policy: (w): SyncPolicyInput => {
      teams = createTeams(w);
      return { groups: { extensionGroups: [teams.sales] } };
    },
  });
  await tenant.runFullSync();
  const ids = extensionIdsByEmail();
  const idOf = (index: number) => ids.get(emailOf(teams.users[index]!))!;
  expect(membersOf('Sales')).toEqual([0, 1, 2, 3, 4].map(idOf).sort((a, b) => a - b));

  tenant.world.graph.control.removeMember(teams.sales, teams.users[1]!.id);
  tenant.world.graph.control.removeMember(teams.dach, teams.users[4]!.id);
  const second = await tenant.runFullSync();

  expect(second.groups).toMatchObject({ created: 0, updated: 1, deleted: 0, skipped: [] });
  expect(membersOf('Sales')).toEqual([0, 2, 3].map(idOf).sort((a, b) => a - b));
  expect(membersOf('Sales')).toEqual(expectedMemberIds(teams.sales));
  // They left the group, not the company: their extensions stay.
  for (const index of [1, 4])
    expect(pbxState().extensions.find((e) => e.id === idOf(index))).toMatchObject({ enabled: true });
});

test('with more than 63 chosen groups, 63 minus the PBX-managed groups are synced, the rest skipped with the reason, and PBX-managed groups are untouched', async () => {
  const CHOSEN = 70;
  const tenant = await startWorld({
    users: 40,
    policy: (w): SyncPolicyInput => {
      const graph = w.graph.control;
      const users = syncable(w);
      const ids = Array.from({ length: CHOSEN }, (_, i) => {
        const id = graph.createGroup({ displayName: `Team ${String(i + 1).padStart(2, '0')}` }).id;
        graph.addMember(id, users[i % users.length]!.id);
        return id;
      });
      return {
        groups: { extensionGroups: ids },
        numbers: { pbxManaged: [{ from: 6000, to: 6999 }] },
      };
    },
  });
  // An administrator's own groups, made on the PBX before the sync ever ran.
  const admin = connectYeastar({
    baseUrl: tenant.world.pbx.url,
    clientId: tenant.world.pbx.clientId,
    clientSecret: tenant.world.pbx.clientSecret,
  });
  try {
    const frontDesk = await admin.directory.createExtension({
      number: '6001',
      firstName: 'Front',
      lastName: 'Desk',
      email: 'front.desk@pbx.example',
    });
    const lobby = await admin.directory.createExtension({
      number: '6002',
      firstName: 'Lobby',
      lastName: 'Phone',
      email: 'lobby@pbx.example',
    });
    await admin.directory.createExtensionGroup({ name: 'Reception Desk', memberIds: [frontDesk.id] });
    await admin.directory.createExtensionGroup({ name: 'Night Shift', memberIds: [frontDesk.id, lobby.id] });
    await admin.directory.createExtensionGroup({ name: 'Team 05 (PBX)', memberIds: [lobby.id] });
  } finally {
    await admin.close();
  }
  const managedBefore = pbxState().extensionGroups;
  const pbxExtensionsBefore = pbxState().extensions;
  expect(managedBefore).toHaveLength(3);

  const result = await tenant.runFullSync();

  const slots = 63 - managedBefore.length;
  const name = (i: number) => `Team ${String(i + 1).padStart(2, '0')}`;
  const reason =
    'the PBX holds at most 63 extension groups (3 are PBX-managed); ' +
    'groups listed earlier in groups.extensionGroups took the remaining slots';
  expect(result.groups).toMatchObject({ created: slots, updated: 0, deleted: 0 });
  expect(result.groups!.skipped).toEqual(
    Array.from({ length: CHOSEN - slots }, (_, i) => `${name(slots + i)}: ${reason}`),
  );
  const after = pbxState().extensionGroups;
  expect(after).toHaveLength(63);
  expect(
    after
      .filter((g) => g.name.startsWith('Team ') && !g.name.endsWith('(PBX)'))
      .map((g) => g.name)
      .sort(),
  ).toEqual(Array.from({ length: slots }, (_, i) => name(i)));
  for (const before of managedBefore) expect(after.find((g) => g.id === before.id)).toEqual(before);
  for (const extension of pbxExtensionsBefore)
    expect(pbxState().extensions.find((e) => e.id === extension.id)).toEqual(extension);
  for (let i = 0; i < slots; i++) expect(membersOf(name(i))).toHaveLength(1);
});

test('a dry run reports the extension-group and organization counts and writes nothing to the PBX', async () => {
  let teams!: Teams;
  const tenant = await startWorld({
    users: 40,
    policy: (w): SyncPolicyInput => {
      teams = createTeams(w);
      return {
        groups: {
          extensionGroups: [teams.sales, teams.emea, teams.dach, teams.support],
          organizationSource: 'groups',
          organizationGroups: [teams.support, teams.sales],
        },
      };
    },
  });
  const before = pbxState();
  tenant.world.pbx.control.resetCounters();

  const dryRun = await tenant.runFullSync({ dryRun: true });

  expect(dryRun).toMatchObject({ phase: 'done', dryRun: true });
  expect(dryRun.plan!.counts).toMatchObject({
    creates: syncable(tenant.world).length,
    extensionGroupCreates: 4,
    extensionGroupUpdates: 0,
    extensionGroupDeletes: 0,
    extensionGroupsSkipped: 0,
    organizationsToCreate: 2,
  });
  expect(dryRun.groups).toBeUndefined();
  expect(pbxWrites()).toEqual([]);
  const after = pbxState();
  expect(after.extensions).toEqual([]);
  expect(after.extensionGroups).toEqual([]);
  expect(after.organizations).toEqual(before.organizations);
  expect(after.welcomeEmails).toEqual([]);
});
