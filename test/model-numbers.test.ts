import { describe, expect, it } from '@jest/globals';
import {
  allocate,
  allocateAll,
  defaultSyncPolicy,
  emptyNumberState,
  validateExtensionNumber,
  type AllocationContext,
  type NumberPolicy,
} from '../model/index.js';

const NOW = '2025-03-01T00:00:00.000Z';
const numbers = (overrides: Partial<NumberPolicy> = {}): NumberPolicy => ({
  ...defaultSyncPolicy().numbers,
  ranges: [{ from: 100, to: 104 }],
  ...overrides,
});
const context = (overrides: Partial<AllocationContext> = {}): AllocationContext => ({
  policy: numbers(),
  now: NOW,
  ...overrides,
});
const daysLater = (days: number) => new Date(Date.parse(NOW) + days * 86_400_000).toISOString();

describe('allocate', () => {
  it('gives the lowest free number, skipping PBX-managed and occupied numbers', () => {
    const ctx = context({
      policy: numbers({ pbxManaged: [{ from: 100, to: 100 }] }),
      occupied: { '101': 'ext 101' },
    });
    const { outcome } = allocate(emptyNumberState(), { owner: 'a' }, ctx);
    expect(outcome).toEqual({ ok: true, owner: 'a', number: '102', source: 'range' });
  });

  it('is idempotent per owner and never hands out a number twice', () => {
    const { state, outcomes } = allocateAll(
      emptyNumberState(),
      ['a', 'b', 'a', 'c', 'd', 'e', 'f'].map((owner) => ({ owner })),
      context(),
    );
    expect(outcomes.map((o) => (o.ok ? o.number : o.reason))).toEqual([
      '100',
      '101',
      '100',
      '102',
      '103',
      '104',
      'no free extension number in 100–104',
    ]);
    expect(state.assigned).toEqual({ '100': 'a', '101': 'b', '102': 'c', '103': 'd', '104': 'e' });
    expect(allocate(state, { owner: 'b', preferred: '104' }, context()).outcome).toMatchObject({
      number: '101',
      source: 'kept',
    });
  });

  it('uses the group range of the request', () => {
    const ctx = context({
      policy: numbers({ groupRanges: [{ groupId: 'sales', ranges: [{ from: 2000, to: 2999 }] }] }),
    });
    expect(allocate(emptyNumberState(), { owner: 'a', groupId: 'sales' }, ctx).outcome).toMatchObject({
      number: '2000',
    });
    expect(allocate(emptyNumberState(), { owner: 'a', groupId: 'other' }, ctx).outcome).toMatchObject({
      number: '100',
    });
  });

  it('honours quarantine: held back from others until expiry, given back to its previous owner', () => {
    const held = { assigned: {}, quarantined: { '100': { releasedAt: NOW, owner: 'a' } } };
    expect(allocate(held, { owner: 'b' }, context()).outcome).toMatchObject({ number: '101' });
    expect(allocate(held, { owner: 'b', preferred: '100' }, context()).outcome).toMatchObject({
      ok: false,
      reason: expect.stringContaining('quarantined for 30 days'),
    });
    expect(allocate(held, { owner: 'b' }, context({ now: daysLater(30) })).outcome).toMatchObject({
      number: '100',
    });
    const back = allocate(held, { owner: 'a' }, context({ now: daysLater(1) }));
    expect(back.outcome).toMatchObject({ number: '100', source: 'kept' });
    expect(back.state.quarantined).toEqual({});
  });

  it('validates a preferred number and names the owner it collides with', () => {
    const { state } = allocate(emptyNumberState(), { owner: 'a', preferred: '1042' }, context());
    expect(state.assigned).toEqual({ '1042': 'a' });
    expect(allocate(state, { owner: 'b', preferred: '1042' }, context()).outcome).toEqual({
      ok: false,
      owner: 'b',
      reason: 'number 1042 already belongs to a',
      conflictOwner: 'a',
    });
    const managed = context({ policy: numbers({ pbxManaged: [{ from: 1000, to: 1099 }] }) });
    expect(allocate(state, { owner: 'c', preferred: '1050' }, managed).outcome).toMatchObject({ ok: false });
    expect(allocate(state, { owner: 'c', preferred: '12a' }, context()).outcome).toMatchObject({ ok: false });
  });

  it('does not modify the state it was given', () => {
    const state = emptyNumberState();
    allocate(state, { owner: 'a' }, context());
    expect(state).toEqual(emptyNumberState());
  });

  it('allocates 10,000 distinct numbers in one batch', () => {
    const ctx = context({ policy: numbers({ ranges: [{ from: 10000, to: 29999 }] }) });
    const { outcomes } = allocateAll(
      emptyNumberState(),
      Array.from({ length: 10_000 }, (_, i) => ({ owner: `u${i}` })),
      ctx,
    );
    expect(new Set(outcomes.map((o) => (o.ok ? o.number : ''))).size).toBe(10_000);
  });
});

describe('validateExtensionNumber', () => {
  it('accepts 1–7 digits only', () => {
    expect(validateExtensionNumber(' 1042 ')).toEqual({ ok: true, number: '1042' });
    expect(validateExtensionNumber('+1042').ok).toBe(false);
    expect(validateExtensionNumber('').ok).toBe(false);
    expect(validateExtensionNumber('12345678')).toEqual({
      ok: false,
      reason: '"12345678" has 8 digits, the PBX allows at most 7',
    });
  });
});
