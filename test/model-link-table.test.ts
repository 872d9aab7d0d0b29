import { describe, expect, it } from '@jest/globals';
import { linkTable, replaceHolders } from '../model/index.js';

const NOW = '2025-03-01T00:00:00.000Z';

describe('linkTable', () => {
  it('links active and disabled users, holds quarantined numbers for their user, skips entities without a number', () => {
    const table = linkTable(
      [
        { objectId: 'a', phase: 'active', extensionId: '1', number: '1001' },
        { objectId: 'b', phase: 'disabled', extensionId: '2', number: '1002' },
        { objectId: 'c', phase: 'quarantined', number: '1003' },
        { objectId: 'd', phase: 'pending' },
        { objectId: 'e', phase: 'error', number: '1005' },
      ],
      NOW,
    );
    expect(table).toEqual({
      links: {
        a: { extensionId: '1', number: '1001' },
        b: { extensionId: '2', number: '1002', disabledAt: NOW },
      },
      numbers: {
        assigned: { '1001': 'a', '1002': 'b', '1005': 'e' },
        quarantined: { '1003': { releasedAt: NOW, owner: 'c' } },
      },
    });
  });
});

describe('replaceHolders', () => {
  it('replaces what the ledger said about the holders’ numbers with what they hold now', () => {
    const numbers = { assigned: { '1001': 'planned-by-me', '1002': 'b' }, quarantined: {} };
    replaceHolders(numbers, [{ objectId: 'other', phase: 'quarantined', number: '1001' }], NOW);
    expect(numbers).toEqual({
      assigned: { '1002': 'b' },
      quarantined: { '1001': { releasedAt: NOW, owner: 'other' } },
    });
  });
});
