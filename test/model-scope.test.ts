import { describe, expect, it } from '@jest/globals';
import {
  defaultSyncPolicy,
  evaluateScope,
  resolveGroupMembership,
  type DirectoryGroup,
  type DirectoryUser,
  type SyncPolicy,
} from '../model/index.js';

const user = (overrides: Partial<DirectoryUser> = {}): DirectoryUser => ({
  id: 'u1',
  userPrincipalName: 'u1@contoso.com',
  mail: 'u1@contoso.com',
  businessPhones: [],
  accountEnabled: true,
  userType: 'Member',
  ...overrides,
});
const group = (id: string, memberUserIds: string[], memberGroupIds: string[] = []): DirectoryGroup => ({
  id,
  displayName: id,
  memberUserIds,
  memberGroupIds,
});
const withScope = (scope: Partial<SyncPolicy['scope']>, ignore: string[] = []): SyncPolicy => {
  const policy = defaultSyncPolicy();
  return { ...policy, scope: { ...policy.scope, ...scope }, ignore };
};

describe('resolveGroupMembership', () => {
  it('resolves nested groups and survives cycles and unknown groups', () => {
    const membership = resolveGroupMembership([
      group('all', ['u1'], ['sales', 'ghost']),
      group('sales', ['u2'], ['emea']),
      group('emea', ['u3'], ['all']),
    ]);
    expect(membership.usersByGroup).toEqual({
      all: ['u1', 'u2', 'u3'],
      sales: ['u1', 'u2', 'u3'],
      emea: ['u1', 'u2', 'u3'],
    });
    expect(membership.groupsByUser['u3']).toEqual(['all', 'emea', 'sales']);
  });
});

describe('evaluateScope', () => {
  const membership = resolveGroupMembership([group('sales', [], ['emea']), group('emea', ['u1'])]);

  it('takes everyone enabled by default', () => {
    expect(evaluateScope(user({ userType: 'Guest' }), defaultSyncPolicy(), membership)).toEqual({
      inScope: true,
    });
  });

  it('gives disabled accounts a reason', () => {
    expect(evaluateScope(user({ accountEnabled: false }), defaultSyncPolicy(), membership)).toEqual({
      inScope: false,
      reason: 'disabled',
    });
  });

  it('filters by user type', () => {
    expect(
      evaluateScope(user({ userType: 'Guest' }), withScope({ userTypes: 'members' }), membership),
    ).toMatchObject({
      reason: 'user-type',
    });
    expect(
      evaluateScope(user({ userType: 'Guest' }), withScope({ userTypes: 'guests' }), membership).inScope,
    ).toBe(true);
  });

  it('takes members of chosen groups through nesting', () => {
    expect(evaluateScope(user(), withScope({ groups: ['sales'] }), membership).inScope).toBe(true);
    expect(evaluateScope(user({ id: 'u9' }), withScope({ groups: ['sales'] }), membership)).toMatchObject({
      reason: 'not-in-chosen-groups',
    });
  });

  it('applies the attribute filter case-insensitively', () => {
    const tagged = user({ extensionAttributes: { extensionAttribute1: 'Phone-User' } });
    const scope = (filter: object) =>
      withScope({ attributeFilter: { attribute: 'extensionAttribute1', ...filter } });
    expect(evaluateScope(tagged, scope({ equals: 'phone-user' }), membership).inScope).toBe(true);
    expect(evaluateScope(tagged, scope({ startsWith: 'PHONE' }), membership).inScope).toBe(true);
    expect(evaluateScope(tagged, scope({ in: ['x', 'phone-user'] }), membership).inScope).toBe(true);
    expect(evaluateScope(user(), scope({ equals: 'phone-user' }), membership)).toMatchObject({
      reason: 'attribute-filter',
    });
  });

  it('ignores by object id, UPN or mail, before anything else', () => {
    for (const key of ['U1', 'u1@CONTOSO.com']) {
      expect(evaluateScope(user({ accountEnabled: false }), withScope({}, [key]), membership)).toEqual({
        inScope: false,
        reason: 'ignored',
      });
    }
  });
});
