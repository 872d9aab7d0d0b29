import { describe, expect, it } from '@jest/globals';
import {
  decideForUser,
  defaultSyncPolicy,
  describeDecision,
  emptyNumberState,
  evaluateDirectory,
  offboardingGuard,
  planChanges,
  type DirectoryUser,
  type ExistingExtension,
  type ExtensionLink,
  type GuardVerdict,
} from '../model/index.js';

const NOW = '2025-03-01T00:00:00.000Z';
const policy = defaultSyncPolicy();
const ada: DirectoryUser = {
  id: 'oid-ada',
  userPrincipalName: 'ada@contoso.com',
  mail: 'ada@contoso.com',
  givenName: 'Ada',
  surname: 'Lovelace',
  businessPhones: [],
  accountEnabled: true,
  userType: 'Member',
};
const extension = (overrides: Partial<ExistingExtension> = {}): ExistingExtension => ({
  id: '7',
  number: '1007',
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@contoso.com',
  mobile: '',
  title: '',
  organizations: [],
  enabled: true,
  ...overrides,
});
const allow: GuardVerdict = offboardingGuard(
  { disables: [], deletes: [] },
  { sourceComplete: true, managedUsers: 1 },
  policy.offboarding,
);

/** One user planned the way the planner does it: their own directory entry, link and extensions. */
function decide(
  user: DirectoryUser | undefined,
  link: ExtensionLink | undefined,
  existing: ExistingExtension[],
  guard = allow,
) {
  const evaluation = evaluateDirectory(user ? [user] : [], [], policy);
  const plan = planChanges({
    directory: evaluation.entries,
    links: link ? { [ada.id]: link } : {},
    existing,
    numbers: emptyNumberState(),
    policy,
    now: NOW,
  });
  const entry = evaluation.entries[ada.id];
  const decision = decideForUser(plan, entry, link, guard, policy);
  return { decision, detail: describeDecision(decision, entry) };
}

const link: ExtensionLink = { extensionId: '7', number: '1007' };

describe('decideForUser', () => {
  it('creates a new user, with the number the plan hands out', () => {
    expect(decide(ada, undefined, [])).toMatchObject({
      decision: { kind: 'ensure', action: 'create', number: '1000' },
      detail: 'create extension 1000',
    });
  });

  it('updates only the fields that differ, and names them', () => {
    expect(decide({ ...ada, jobTitle: 'Countess' }, link, [extension()])).toMatchObject({
      decision: { kind: 'ensure', action: 'update', changes: ['title'] },
      detail: 'update extension 1007: title',
    });
  });

  it('adopts an unlinked extension with the same email, updating what differs', () => {
    expect(decide(ada, undefined, [extension({ title: 'Old' })])).toMatchObject({
      decision: { kind: 'ensure', action: 'adopt', number: '1007', changes: ['title'] },
      detail: 'adopt extension 1007 and update title',
    });
    expect(decide(ada, undefined, [extension()]).detail).toBe('adopt extension 1007');
  });

  it('applies an unchanged linked user again (reapply), so what the PBX does not report is repaired', () => {
    expect(decide(ada, link, [extension()]).decision).toMatchObject({ kind: 'ensure', action: 'reapply' });
  });

  it('disables a user who left, naming why', () => {
    expect(decide({ ...ada, accountEnabled: false }, link, [extension()])).toEqual({
      decision: { kind: 'offboard', action: 'disable', number: '1007', reason: 'disabled' },
      detail: 'disable extension 1007: the user is disabled in Entra ID',
    });
  });

  it('holds an offboarding the guard does not allow, and says so', () => {
    const held = offboardingGuard(
      {
        disables: [{ objectId: ada.id, name: 'ada', extensionId: '7', number: '1007', reason: 'deleted' }],
        deletes: [],
      },
      { sourceComplete: false, managedUsers: 1 },
      policy.offboarding,
    );
    const { decision } = decide(undefined, link, [extension()], held);
    expect(decision).toMatchObject({ kind: 'none' });
    expect(describeDecision(decision, undefined)).toMatch(
      /^would disable extension 1007, but held: the directory read did not complete/,
    );
  });

  it('waits for the grace period of an extension it disabled', () => {
    const { detail } = decide({ ...ada, accountEnabled: false }, { ...link, disabledAt: NOW }, [
      extension({ enabled: false }),
    ]);
    expect(detail).toBe(
      'the user is disabled in Entra ID; extension 1007 is disabled, waiting for the grace period',
    );
  });

  it('leaves a user without an extension alone when they are out of scope', () => {
    expect(decide({ ...ada, accountEnabled: false }, undefined, []).detail).toBe(
      'the user is disabled in Entra ID; there is no extension to change',
    );
  });

  it('reports bad input instead of acting on it', () => {
    const { decision, detail } = decide(
      { ...ada, mail: null, userPrincipalName: 'not-an-email' },
      undefined,
      [],
    );
    expect(decision.kind).toBe('none');
    expect(detail).toMatch(/^cannot sync: /);
  });

  it('never offboards with upsertOnly on', () => {
    const upsertOnly = { ...policy, upsertOnly: true };
    const evaluation = evaluateDirectory([{ ...ada, accountEnabled: false }], [], upsertOnly);
    const plan = planChanges({
      directory: evaluation.entries,
      links: { [ada.id]: link },
      existing: [extension()],
      numbers: emptyNumberState(),
      policy: upsertOnly,
      now: NOW,
    });
    const decision = decideForUser(plan, evaluation.entries[ada.id], link, allow, upsertOnly);
    expect(describeDecision(decision, evaluation.entries[ada.id])).toBe(
      'the user is disabled in Entra ID; upsertOnly is on, so nothing is offboarded',
    );
  });
});
