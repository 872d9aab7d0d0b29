import { describe, expect, it } from '@jest/globals';
import { defaultSyncPolicy, offboardingGuard, type PlannedOffboard } from '../model/index.js';

const LIMITS = { ...defaultSyncPolicy().offboarding, maxCount: 5, maxPercent: 30 };
const COMPLETE = { sourceComplete: true, managedUsers: 20 };

const offboard = (n: number, extensionMissing?: boolean): PlannedOffboard => ({
  objectId: `oid-${n}`,
  name: `user${n}@contoso.com`,
  extensionId: String(n),
  number: String(1000 + n),
  reason: 'disabled',
  ...(extensionMissing ? { extensionMissing } : {}),
});
const offboards = (from: number, count: number, extensionMissing?: boolean) =>
  Array.from({ length: count }, (_, i) => offboard(from + i, extensionMissing));

describe('offboardingGuard', () => {
  it('holds a plan of deletes alone for approval, as it holds disables', () => {
    const verdict = offboardingGuard({ disables: [], deletes: offboards(1, 6, true) }, COMPLETE, LIMITS);
    expect(verdict).toMatchObject({ allowed: false, needsApproval: true, reason: 'above-threshold' });
    expect(verdict.message).toBe(
      "this run would offboard 6 of 20 managed users (disable 0, delete 6): 30 %, above the limit of 5 users or 30 %: waiting for an operator's approval",
    );
    expect(verdict.wouldOffboard).toHaveLength(6);
  });

  it('adds disables and deletes: each within the count limit, together above it', () => {
    const verdict = offboardingGuard(
      { disables: offboards(1, 3), deletes: offboards(4, 3) },
      { sourceComplete: true, managedUsers: 100 },
      LIMITS,
    );
    expect(verdict).toMatchObject({ allowed: false, needsApproval: true, reason: 'above-threshold' });
    expect(verdict.message).toContain('would offboard 6 of 100 managed users (disable 3, delete 3): 6 %');
  });

  it('adds disables and deletes: each within the percent limit, together above it', () => {
    const verdict = offboardingGuard(
      { disables: offboards(1, 2), deletes: offboards(3, 2) },
      { sourceComplete: true, managedUsers: 10 },
      { ...LIMITS, maxCount: 100 },
    );
    expect(verdict).toMatchObject({ allowed: false, needsApproval: true, reason: 'above-threshold' });
    expect(verdict.message).toContain('(disable 2, delete 2): 40 %');
  });

  it('lets offboardings within both limits through', () => {
    const verdict = offboardingGuard(
      { disables: offboards(1, 3), deletes: offboards(4, 2) },
      COMPLETE,
      LIMITS,
    );
    expect(verdict).toMatchObject({ allowed: true, needsApproval: false, reason: 'within-threshold' });
    expect(verdict.wouldOffboard).toEqual([
      'user1@contoso.com (ext 1001, disabled)',
      'user2@contoso.com (ext 1002, disabled)',
      'user3@contoso.com (ext 1003, disabled)',
      'user4@contoso.com (ext 1004, disabled)',
      'user5@contoso.com (ext 1005, disabled)',
    ]);
  });

  it('offboards nobody after an incomplete source read, deletes included, and no approval releases them', () => {
    const verdict = offboardingGuard(
      { disables: [], deletes: offboards(1, 1) },
      { sourceComplete: false, managedUsers: 20 },
      LIMITS,
    );
    expect(verdict).toMatchObject({ allowed: false, needsApproval: false, reason: 'source-incomplete' });
  });
});
