import { describe, expect, it } from '@jest/globals';
import { groupProblems, problemLine, type UserIssue } from '../model/index.js';

const issue = (n: number, field: string, reason: string): UserIssue => ({
  objectId: `oid-${n}`,
  userPrincipalName: `user${n}@contoso.com`,
  field,
  reason: `user${n}@contoso.com (oid-${n}): ${reason}`,
});

describe('groupProblems', () => {
  it('groups users by kind, most common first, and counts a user once per kind', () => {
    const groups = groupProblems(
      [
        issue(
          1,
          'email',
          'email a@x.com is also the email of user2@contoso.com (oid-2); the PBX needs a unique email',
        ),
        issue(
          2,
          'email',
          'email a@x.com is also the email of user1@contoso.com (oid-1); the PBX needs a unique email',
        ),
        issue(
          3,
          'email',
          'email b@x.com is also the email of user4@contoso.com (oid-4); the PBX needs a unique email',
        ),
        issue(
          3,
          'email',
          'email b@x.com is also the email of user5@contoso.com (oid-5); the PBX needs a unique email',
        ),
        issue(6, 'firstName', 'firstName is empty: no name attribute gives text the PBX accepts'),
        issue(7, 'mobile', '"call me" is not a number the PBX accepts'),
      ],
      2,
    );
    expect(groups.map((g) => [g.kind, g.count, g.samples.length])).toEqual([
      ['share an email with another user', 3, 2],
      ['have a mobile number the PBX cannot take', 1, 1],
      ['have no name the PBX accepts', 1, 1],
    ]);
  });

  it('gives each user one short line without the repeated object id', () => {
    const line = problemLine(
      issue(1, 'email', `email is empty: none of mail is set${' and more'.repeat(30)}`),
    );
    expect(line.startsWith('user1@contoso.com: email is empty')).toBe(true);
    expect(line).not.toContain('oid-1');
    expect(line.length).toBeLessThanOrEqual(140);
  });

  it('names an unknown field instead of failing', () => {
    expect(groupProblems([issue(1, 'department', 'is odd')], 5)[0]?.kind).toBe(
      'have a problem with department',
    );
  });
});
