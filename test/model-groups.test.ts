import { describe, expect, it } from '@jest/globals';
import {
  assignGroupDerivedFields,
  defaultSyncPolicy,
  planExtensionGroups,
  resolveGroupMembership,
  type DesiredExtension,
  type ExistingExtensionGroup,
  type ExtensionGroupPlanInput,
  type SyncPolicy,
} from '../model/index.js';

const desired: DesiredExtension = {
  objectId: 'u1',
  userPrincipalName: 'u1@contoso.com',
  firstName: 'U',
  lastName: 'One',
  email: 'u1@contoso.com',
  mobile: '',
  title: '',
  department: 'Finance',
  ssoIdentity: 'u1@contoso.com',
  linkusEnabled: true,
};
const names = { sales: 'Sales', support: 'Support & Care' };

describe('assignGroupDerivedFields', () => {
  const base = defaultSyncPolicy();
  const policy: SyncPolicy = {
    ...base,
    groups: { ...base.groups, organizationSource: 'groups', organizationGroups: ['support', 'sales'] },
    numbers: { ...base.numbers, groupRanges: [{ groupId: 'sales', ranges: [{ from: 2000, to: 2999 }] }] },
  };

  it('gives a user in two chosen groups one organization (first configured) and a note naming both', () => {
    const { extension, notes } = assignGroupDerivedFields(desired, ['sales', 'support'], names, policy);
    expect(extension.organization).toBe('Support Care');
    expect(extension.numberGroupId).toBe('sales');
    expect(notes).toEqual([
      {
        field: 'organization',
        reason: expect.stringMatching(
          /^u1@contoso\.com \(u1\): organization: member of Support & Care, Sales; .*: Support & Care$/,
        ),
      },
    ]);
  });

  it('uses the department when so configured, and nothing by default', () => {
    const department = { ...policy, groups: { ...policy.groups, organizationSource: 'department' as const } };
    expect(assignGroupDerivedFields(desired, [], names, department).extension.organization).toBe('Finance');
    expect(assignGroupDerivedFields(desired, [], names, base).extension).toEqual(desired);
  });
});

describe('planExtensionGroups', () => {
  const membership = resolveGroupMembership([
    { id: 'sales', displayName: 'Sales', memberUserIds: ['u1', 'u2', 'u3'], memberGroupIds: [] },
    { id: 'support', displayName: 'Support', memberUserIds: ['u1'], memberGroupIds: [] },
  ]);
  const input = (overrides: Partial<ExtensionGroupPlanInput>): ExtensionGroupPlanInput => ({
    chosen: ['sales', 'support'],
    groupNames: { sales: 'Sales', support: 'Support' },
    membership,
    managedUsers: ['u1', 'u2'],
    extensionOwners: { '11': 'u1', '12': 'u2' },
    existing: [],
    upsertOnly: false,
    ...overrides,
  });

  it('creates groups with managed members only; a user may be in both', () => {
    const plan = planExtensionGroups(input({}));
    expect(plan.creates).toEqual([
      { groupId: 'sales', name: 'Sales', memberObjectIds: ['u1', 'u2'] },
      { groupId: 'support', name: 'Support', memberObjectIds: ['u1'] },
    ]);
  });

  it('diffs members, keeps unmanaged members, renames, and deletes groups no longer chosen', () => {
    const existing: ExistingExtensionGroup[] = [
      { id: '1', name: 'Sales (old)', memberExtensionIds: ['11', '99'], managedBy: 'sales' },
      { id: '2', name: 'Gone', memberExtensionIds: [], managedBy: 'gone' },
    ];
    const plan = planExtensionGroups(input({ chosen: ['sales'], existing, managedUsers: ['u2'] }));
    expect(plan.updates).toEqual([
      {
        groupId: 'sales',
        extensionGroupId: '1',
        rename: { from: 'Sales (old)', to: 'Sales' },
        addObjectIds: ['u2'],
        removeExtensionIds: ['11'],
      },
    ]);
    expect(plan.deletes).toEqual([{ groupId: 'gone', extensionGroupId: '2', name: 'Gone' }]);
    expect(planExtensionGroups(input({ chosen: ['sales'], existing, upsertOnly: true })).deletes).toEqual([]);
  });

  it('skips groups beyond the 63-group limit, name clashes and unknown groups, saying why', () => {
    const pbxGroups = Array.from({ length: 62 }, (_, i) => ({
      id: String(100 + i),
      name: `PBX ${i}`,
      memberExtensionIds: [],
    }));
    const plan = planExtensionGroups(
      input({
        chosen: ['clash', 'sales', 'support', 'missing'],
        groupNames: { clash: 'pbx 0', sales: 'Sales', support: 'Support' },
        existing: pbxGroups,
      }),
    );
    expect(plan.creates.map((c) => c.groupId)).toEqual(['sales']);
    expect(plan.skipped).toEqual([
      {
        groupId: 'clash',
        name: 'pbx 0',
        reason: expect.stringContaining('already used by the PBX-managed extension group "PBX 0"'),
      },
      {
        groupId: 'support',
        name: 'Support',
        reason: expect.stringContaining('at most 63 extension groups (62 are PBX-managed)'),
      },
      { groupId: 'missing', name: 'missing', reason: expect.stringContaining('not found in Entra ID') },
    ]);
  });
});
