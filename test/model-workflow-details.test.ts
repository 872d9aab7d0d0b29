import {
  directoryWatcherDetails,
  fullSyncDetails,
  fullSyncSummary,
  userDetails,
} from '../model/workflow-details.js';

const counts = {
  creates: 0,
  updates: 0,
  adoptions: 0,
  disables: 0,
  deletes: 0,
  unchanged: 0,
  waitingForGrace: 0,
  errors: 0,
  notes: 0,
  extensionGroupCreates: 0,
  extensionGroupUpdates: 0,
  extensionGroupDeletes: 0,
  extensionGroupsSkipped: 0,
  organizationsToCreate: 0,
};

describe('user details', () => {
  it('says who the user is, their extension and where they are in their lifecycle', () => {
    expect(
      userDetails({
        userPrincipalName: 'ada@contoso.com',
        displayName: 'Ada Lovelace',
        phase: 'active',
        link: { number: '1003' },
      }),
    ).toBe('Ada Lovelace · ada@contoso.com · ext 1003 · active');
  });

  it('shows the held number and the end of a wait; shortens a long error', () => {
    const line = userDetails({
      userPrincipalName: 'ada@contoso.com',
      phase: 'quarantined',
      heldNumber: '1003',
      waitingUntil: '2026-12-31T00:00:00.000Z',
      lastError: 'x'.repeat(500),
    });
    expect(line).toMatch(/^ada@contoso\.com · ext 1003 · quarantined until 2026-12-31T00:00:00\.000Z · x+…$/);
    expect(line.length).toBeLessThan(200);
  });
});

describe('full sync details', () => {
  it('shows only the counts that are not zero', () => {
    expect(
      fullSyncDetails({
        phase: 'applying',
        dryRun: false,
        plan: { counts: { ...counts, creates: 40, deletes: 2, disables: 1, errors: 3 } },
      }),
    ).toBe('applying · 40 to create, 3 to offboard, 3 bad input');
  });

  it('says an unchanged tenant is unchanged, and reports the outcome when done', () => {
    expect(
      fullSyncDetails({
        phase: 'done',
        dryRun: false,
        plan: { counts: { ...counts, unchanged: 200 } },
        convergence: { applied: 0, failed: [], unconfirmed: 0 },
        groups: { created: 0, updated: 0, deleted: 0 },
      }),
    ).toBe('done · 200 unchanged · nothing to apply');
    expect(
      fullSyncDetails({
        phase: 'done',
        dryRun: false,
        plan: { counts: { ...counts, creates: 5 } },
        decision: { approved: false, by: 'ops' },
        convergence: { applied: 4, failed: [{}], unconfirmed: 0 },
        groups: { created: 2, updated: 0, deleted: 1 },
      }),
    ).toBe(
      'done · 5 to create · offboarding rejected by ops · 4 applied, 1 failed · extension groups 2 created, 1 deleted',
    );
  });

  it('marks a dry run', () => {
    expect(fullSyncSummary('t1', true)).toBe('Dry run of tenant t1');
    expect(fullSyncDetails({ phase: 'planning', dryRun: true })).toBe('planning (dry run)');
  });
});

describe('directory watcher details', () => {
  it('shows rounds, freshness, an owed full sync and the last error', () => {
    expect(
      directoryWatcherDetails({
        phase: 'waiting',
        rounds: 1,
        changesApplied: 7,
        cursorAt: '2026-12-01T06:00:00.000Z',
        owedFullSync: { reason: 'delta token expired', failures: 2 },
        lastError: { at: '2026-12-01T05:59:00.000Z', message: 'Graph unreachable' },
      }),
    ).toBe(
      'waiting · 1 round · 7 changes applied · current as of 2026-12-01T06:00:00.000Z · full sync owed (delta token expired, 2 failures) · last error 2026-12-01T05:59:00.000Z: Graph unreachable',
    );
  });
});
