import { describe, expect, it } from '@jest/globals';
import {
  allocate,
  defaultSyncPolicy,
  emptyNumberState,
  evaluateDirectory,
  offboardingGuard,
  planChanges,
  planSummary,
  type DirectoryGroup,
  type DirectoryUser,
  type ExistingExtension,
  type ExistingExtensionGroup,
  type ExtensionLink,
  type NumberState,
  type SyncPlan,
  type SyncPolicy,
} from '../model/index.js';

const NOW = '2025-03-01T00:00:00.000Z';
const daysLater = (days: number) => new Date(Date.parse(NOW) + days * 86_400_000).toISOString();

const user = (n: number, overrides: Partial<DirectoryUser> = {}): DirectoryUser => ({
  id: `oid-${n}`,
  userPrincipalName: `user${n}@contoso.com`,
  mail: `user${n}@contoso.com`,
  givenName: `First${n}`,
  surname: `Last${n}`,
  businessPhones: [],
  accountEnabled: true,
  userType: 'Member',
  ...overrides,
});
const users = (count: number) => Array.from({ length: count }, (_, i) => user(i + 1));

const pbxExtension = (
  id: number,
  number: string,
  overrides: Partial<ExistingExtension> = {},
): ExistingExtension => ({
  id: String(id),
  number,
  firstName: 'Pbx',
  lastName: `User${id}`,
  email: `pbx${id}@contoso.com`,
  mobile: '',
  title: '',
  organizations: [],
  enabled: true,
  ...overrides,
});

/** The PBX, the link table and the allocator state, as the workflows would hold them. */
interface World {
  existing: ExistingExtension[];
  links: Record<string, ExtensionLink>;
  numbers: NumberState;
  groups: ExistingExtensionGroup[];
}

const emptyWorld = (): World => ({ existing: [], links: {}, numbers: emptyNumberState(), groups: [] });

function plan(
  world: World,
  directoryUsers: DirectoryUser[],
  policy: SyncPolicy = defaultSyncPolicy(),
  now = NOW,
  groups: DirectoryGroup[] = [],
): SyncPlan {
  const directory = evaluateDirectory(directoryUsers, groups, policy);
  return planChanges({
    directory: directory.entries,
    links: world.links,
    existing: world.existing,
    numbers: world.numbers,
    policy,
    now,
    groups: {
      membership: directory.membership,
      groupNames: directory.groupNames,
      existing: world.groups,
      existingOrganizations: [],
    },
  });
}

/** Applies a plan the way the activities and the user entities would. */
function apply(world: World, result: SyncPlan, now = NOW): World {
  let existing = world.existing.map((e) => ({ ...e, organizations: [...e.organizations] }));
  const links = { ...world.links };
  let numbers = world.numbers;
  let nextId = Math.max(0, ...existing.map((e) => Number(e.id))) + 1;
  const claim = (owner: string, number: string) => {
    const allocated = allocate(
      numbers,
      { owner, preferred: number },
      { policy: defaultSyncPolicy().numbers, now },
    );
    if (!allocated.outcome.ok) throw new Error(allocated.outcome.reason);
    numbers = allocated.state;
  };
  for (const { extension: d, number } of result.creates) {
    claim(d.objectId, number);
    existing.push({
      id: String(nextId),
      number,
      firstName: d.firstName,
      lastName: d.lastName,
      email: d.email,
      mobile: d.mobile,
      title: d.title,
      organizations: d.organization ? [d.organization] : [],
      enabled: true,
      ssoIdentity: d.ssoIdentity,
      linkusEnabled: d.linkusEnabled,
    });
    links[d.objectId] = { extensionId: String(nextId++), number };
  }
  for (const change of [...result.updates, ...result.adoptions]) {
    const target = existing.find((e) => e.id === change.extensionId)!;
    for (const { field, to } of change.changes) {
      if (field === 'organization') target.organizations = [to as string];
      else Object.assign(target, { [field]: to });
    }
    claim(change.objectId, change.number);
    links[change.objectId] = { extensionId: change.extensionId, number: change.number };
  }
  for (const off of result.disables) {
    existing.find((e) => e.id === off.extensionId)!.enabled = false;
    links[off.objectId] = { ...links[off.objectId]!, disabledAt: now };
  }
  for (const off of result.deletes) {
    existing = existing.filter((e) => e.id !== off.extensionId);
    delete links[off.objectId];
    // The entity holds the number in quarantine for its user (the link table shows it so).
    const { [off.number]: _freed, ...assigned } = numbers.assigned;
    numbers = {
      assigned,
      quarantined: { ...numbers.quarantined, [off.number]: { releasedAt: now, owner: off.objectId } },
    };
  }
  return { ...world, existing, links, numbers };
}

const expectNoChanges = (result: SyncPlan) => {
  expect({
    creates: result.creates,
    updates: result.updates,
    adoptions: result.adoptions,
    disables: result.disables,
    deletes: result.deletes,
    errors: result.errors,
  }).toEqual({ creates: [], updates: [], adoptions: [], disables: [], deletes: [], errors: [] });
};

const withPolicy = (change: (p: SyncPolicy) => void): SyncPolicy => {
  const policy = defaultSyncPolicy();
  change(policy);
  return policy;
};

describe('planFullSync', () => {
  it('creates extensions with distinct numbers, and re-planning after applying changes nothing', () => {
    const directory = users(5);
    const first = plan(emptyWorld(), directory);
    expect(first.creates.map((c) => [c.extension.userPrincipalName, c.number])).toEqual([
      ['user1@contoso.com', '1000'],
      ['user2@contoso.com', '1001'],
      ['user3@contoso.com', '1002'],
      ['user4@contoso.com', '1003'],
      ['user5@contoso.com', '1004'],
    ]);
    expect(first.numberAssignments).toHaveLength(5);
    const world = apply(emptyWorld(), first);
    const second = plan(world, directory);
    expectNoChanges(second);
    expect(second.unchanged).toBe(5);
  });

  it('updates the same extension on a rename (UPN and mail change)', () => {
    const world = apply(emptyWorld(), plan(emptyWorld(), [user(1)]));
    const renamed = user(1, {
      userPrincipalName: 'jane@contoso.com',
      mail: 'jane@contoso.com',
      surname: 'Married',
    });
    const result = plan(world, [renamed]);
    expect(result.creates).toEqual([]);
    expect(result.updates).toEqual([
      {
        objectId: 'oid-1',
        userPrincipalName: 'jane@contoso.com',
        extensionId: '1',
        number: '1000',
        changes: [
          { field: 'lastName', from: 'Last1', to: 'Married' },
          { field: 'email', from: 'user1@contoso.com', to: 'jane@contoso.com' },
          { field: 'ssoIdentity', from: 'user1@contoso.com', to: 'jane@contoso.com' },
        ],
      },
    ]);
    expectNoChanges(plan(apply(world, result), [renamed]));
  });

  it('reports duplicate emails naming both users, and lets the linked holder keep the address', () => {
    const twin = user(2, { mail: 'USER1@contoso.com' });
    const fresh = plan(emptyWorld(), [user(1), twin]);
    expect(fresh.creates).toEqual([]);
    expect(fresh.errors.map((e) => e.reason)).toEqual([
      'user1@contoso.com (oid-1): email user1@contoso.com is also the email of user2@contoso.com (oid-2); the PBX needs a unique email per extension',
      'user2@contoso.com (oid-2): email user1@contoso.com is also the email of user1@contoso.com (oid-1); the PBX needs a unique email per extension',
    ]);
    const world = apply(emptyWorld(), plan(emptyWorld(), [user(1)]));
    const later = plan(world, [user(1), twin]);
    expect(later.errors.map((e) => e.objectId)).toEqual(['oid-2']);
    expect(later.unchanged).toBe(1);
  });

  it('adopts an existing extension with the same email, or reports it when adoption is off', () => {
    const world: World = {
      ...emptyWorld(),
      existing: [pbxExtension(7, '1007', { email: 'user1@contoso.com' })],
    };
    const adopted = plan(world, [user(1)]);
    expect(adopted.adoptions).toMatchObject([{ objectId: 'oid-1', extensionId: '7', number: '1007' }]);
    expect(adopted.numberAssignments).toEqual([{ objectId: 'oid-1', number: '1007', source: 'adopted' }]);
    expectNoChanges(plan(apply(world, adopted), [user(1)]));

    const refused = plan(
      world,
      [user(1)],
      withPolicy((p) => (p.adoptExistingByEmail = false)),
    );
    expect(refused.adoptions).toEqual([]);
    expect(refused.errors[0]!.reason).toBe(
      'user1@contoso.com (oid-1): email user1@contoso.com is already used by extension 1007 and adoptExistingByEmail is off',
    );
  });

  it('reports an Entra number that collides, naming both users', () => {
    const policy = withPolicy((p) => (p.numbers.attribute = 'employeeId'));
    const result = plan(
      emptyWorld(),
      [user(1, { employeeId: '1500' }), user(2, { employeeId: '1500' })],
      policy,
    );
    expect(result.creates.map((c) => c.number)).toEqual(['1500']);
    expect(result.errors).toEqual([
      {
        objectId: 'oid-2',
        userPrincipalName: 'user2@contoso.com',
        field: 'number',
        reason: 'user2@contoso.com (oid-2): number 1500 already belongs to user1@contoso.com (oid-1)',
      },
    ]);
  });

  it('reports an Entra number used by a PBX extension, and an invalid one', () => {
    const policy = withPolicy((p) => (p.numbers.attribute = 'extensionAttribute3'));
    const world: World = { ...emptyWorld(), existing: [pbxExtension(9, '1500')] };
    const attr = (n: number, value: string) =>
      user(n, { extensionAttributes: { extensionAttribute3: value } });
    const result = plan(world, [attr(1, '1500'), attr(2, 'ext-12')], policy);
    expect(result.errors.map((e) => e.reason)).toEqual([
      'user1@contoso.com (oid-1): number 1500 is used by extension 1500 (Pbx User9 <pbx9@contoso.com>)',
      expect.stringMatching(
        /^user2@contoso\.com \(oid-2\): number from extensionAttribute3: "ext-12" is not/,
      ),
    ]);
  });

  it('never touches PBX-managed numbers or unlinked extensions', () => {
    const policy = withPolicy((p) => (p.numbers.pbxManaged = [{ from: 1000, to: 1001 }]));
    const world: World = {
      ...emptyWorld(),
      existing: [pbxExtension(1, '1002', { email: 'someone@else.com' })],
    };
    const result = plan(world, [user(1)], policy);
    expect(result.creates.map((c) => c.number)).toEqual(['1003']);
    expect(result.disables).toEqual([]);
  });

  it('disables a user who leaves scope, deletes after the grace period, and releases the number', () => {
    const directory = users(3);
    let world = apply(emptyWorld(), plan(emptyWorld(), directory));
    const disabledUser = user(2, { accountEnabled: false });
    const policy = withPolicy((p) => (p.offboarding.maxPercent = 50));
    const first = plan(world, [user(1), disabledUser], policy);
    expect(first.disables).toEqual([
      {
        objectId: 'oid-2',
        name: 'user2@contoso.com (oid-2)',
        extensionId: '2',
        number: '1001',
        reason: 'disabled',
      },
      {
        objectId: 'oid-3',
        name: 'First3 Last3 <user3@contoso.com>',
        extensionId: '3',
        number: '1002',
        reason: 'deleted',
      },
    ]);
    world = apply(world, first);
    expect(plan(world, [user(1), disabledUser], policy, daysLater(3)).waitingForGrace).toBe(2);
    const later = plan(world, [user(1), disabledUser], policy, daysLater(7));
    expect(later.deletes.map((d) => d.objectId)).toEqual(['oid-2', 'oid-3']);
    world = apply(world, later, daysLater(7));
    expect(world.numbers.quarantined['1001']).toEqual({ releasedAt: daysLater(7), owner: 'oid-2' });
    expect(plan(world, [user(1), user(4)], policy, daysLater(8)).creates.map((c) => c.number)).toEqual([
      '1003',
    ]);
  });

  it('brings back a user restored within the grace period on the same extension', () => {
    let world = apply(emptyWorld(), plan(emptyWorld(), users(2)));
    world = apply(
      world,
      plan(
        world,
        [user(1)],
        withPolicy((p) => (p.offboarding.maxPercent = 100)),
      ),
    );
    const back = plan(world, users(2), defaultSyncPolicy(), daysLater(2));
    expect(back.creates).toEqual([]);
    expect(back.updates).toEqual([
      expect.objectContaining({
        objectId: 'oid-2',
        extensionId: '2',
        changes: [{ field: 'enabled', from: false, to: true }],
      }),
    ]);
    world = apply(world, back);
    expect(world.links['oid-2']).toEqual({ extensionId: '2', number: '1001' });
    expectNoChanges(plan(world, users(2)));
  });

  it('re-creates a returning user whose extension is gone, keeping the linked number', () => {
    const world = apply(emptyWorld(), plan(emptyWorld(), users(2)));
    const gone = { ...world, existing: world.existing.filter((e) => e.id !== '1') };
    const result = plan(gone, users(2));
    expect(result.creates.map((c) => [c.extension.objectId, c.number])).toEqual([['oid-1', '1000']]);
    expect(result.numberAssignments).toEqual([{ objectId: 'oid-1', number: '1000', source: 'kept' }]);
  });

  it('gives a deleted and purged user back the quarantined number when they return', () => {
    let world = apply(emptyWorld(), plan(emptyWorld(), users(2)));
    const policy = withPolicy((p) => (p.offboarding.maxPercent = 100));
    world = apply(world, plan(world, [user(1)], policy));
    world = apply(world, plan(world, [user(1)], policy, daysLater(8)), daysLater(8));
    expect(world.links['oid-2']).toBeUndefined();
    const back = plan(world, users(3), policy, daysLater(9));
    expect(back.creates.map((c) => [c.extension.objectId, c.number])).toEqual([
      ['oid-2', '1001'],
      ['oid-3', '1002'],
    ]);
  });

  it('offboards nobody in upsert-only mode, and never ignored or unmappable users', () => {
    const world = apply(emptyWorld(), plan(emptyWorld(), users(3)));
    expect(
      plan(
        world,
        [],
        withPolicy((p) => (p.upsertOnly = true)),
      ).disables,
    ).toEqual([]);
    const directory = [user(1), user(2, { givenName: 'x'.repeat(80) }), user(3, { accountEnabled: false })];
    const result = plan(
      world,
      directory,
      withPolicy((p) => (p.ignore = ['USER3@contoso.com'])),
    );
    expect(result.disables).toEqual([]);
    expect(result.errors.map((e) => [e.objectId, e.field])).toEqual([['oid-2', 'firstName']]);
    expect(result.unchanged).toBe(1);
  });

  it('puts users into chosen extension groups and organizations', () => {
    const groups: DirectoryGroup[] = [
      { id: 'g-sales', displayName: 'Sales', memberUserIds: ['oid-1', 'oid-2'], memberGroupIds: [] },
      { id: 'g-ops', displayName: 'Ops', memberUserIds: ['oid-2'], memberGroupIds: [] },
    ];
    const policy = withPolicy((p) => {
      p.groups.extensionGroups = ['g-sales', 'g-ops'];
      p.groups.organizationSource = 'groups';
      p.groups.organizationGroups = ['g-ops', 'g-sales'];
    });
    const result = plan(emptyWorld(), users(2), policy, NOW, groups);
    expect(result.creates.map((c) => c.extension.organization)).toEqual(['Sales', 'Ops']);
    expect(result.groupChanges).toEqual({
      extensionGroups: {
        creates: [
          { groupId: 'g-sales', name: 'Sales', memberObjectIds: ['oid-1', 'oid-2'] },
          { groupId: 'g-ops', name: 'Ops', memberObjectIds: ['oid-2'] },
        ],
        updates: [],
        deletes: [],
        skipped: [],
        unchanged: 0,
      },
      organizationsToCreate: ['Ops', 'Sales'],
    });
  });
});

describe('offboardingGuard', () => {
  const world = apply(emptyWorld(), plan(emptyWorld(), users(10)));
  const policy = defaultSyncPolicy().offboarding;

  it('holds a 60 % offboarding for approval, listing the names', () => {
    const result = plan(world, users(4));
    const verdict = offboardingGuard(result, { sourceComplete: true, managedUsers: 10 }, policy);
    expect(verdict).toMatchObject({ allowed: false, needsApproval: true, reason: 'above-threshold' });
    expect(verdict.message).toContain('would offboard 6 of 10 managed users (disable 6, delete 0): 60 %');
    expect(verdict.wouldOffboard).toHaveLength(6);
    expect(verdict.wouldOffboard[0]).toBe('First10 Last10 <user10@contoso.com> (ext 1001, deleted)');
  });

  it('holds the deletes an empty PBX read plans for a mass disable in Entra ID (issue 12)', () => {
    const directory = users(80);
    const synced = apply(emptyWorld(), plan(emptyWorld(), directory));
    const disabled = directory.map((u, i) => (i < 50 ? { ...u, accountEnabled: false } : u));
    const result = plan({ ...synced, existing: [] }, disabled);
    expect(result.disables).toEqual([]);
    expect(result.deletes.filter((d) => d.extensionMissing)).toHaveLength(50);
    const verdict = offboardingGuard(result, { sourceComplete: true, managedUsers: 80 }, policy);
    expect(verdict).toMatchObject({ allowed: false, needsApproval: true, reason: 'above-threshold' });
    expect(verdict.message).toContain('would offboard 50 of 80 managed users (disable 0, delete 50)');
  });

  it('offboards nobody when the source read was incomplete, even an empty one', () => {
    const verdict = offboardingGuard(plan(world, []), { sourceComplete: false, managedUsers: 10 }, policy);
    expect(verdict).toMatchObject({ allowed: false, needsApproval: false, reason: 'source-incomplete' });
  });

  it('lets a small offboarding through', () => {
    const verdict = offboardingGuard(
      plan(world, users(9)),
      { sourceComplete: true, managedUsers: 10 },
      policy,
    );
    expect(verdict).toMatchObject({ allowed: true, reason: 'within-threshold' });
    expect(
      offboardingGuard(plan(world, users(10)), { sourceComplete: true, managedUsers: 10 }, policy).reason,
    ).toBe('nothing-to-offboard');
  });
});

describe('planSummary', () => {
  it('stays small for a big plan', () => {
    const result = plan(emptyWorld(), users(2000));
    const summary = planSummary(result, 3);
    expect(summary.counts.creates).toBe(2000);
    expect(summary.samples.creates).toEqual([
      'user1@contoso.com: ext 1000',
      'user10@contoso.com: ext 1001',
      'user100@contoso.com: ext 1002',
    ]);
    expect(JSON.stringify(summary).length).toBeLessThan(2000);
  });
});
