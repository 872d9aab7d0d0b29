import { describe, expect, it } from '@jest/globals';
import { DeltaChanges } from '../activities/sync/delta-changes.js';

/** The delta round's change collector: what its heartbeat carries stays within `fullSyncAboveUsers`. */
describe('DeltaChanges', () => {
  const id = (n: number) => `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`;

  it('keeps a bulk change of 50,000 users to a count: the heartbeat form stays small', () => {
    const changes = new DeltaChanges(500);
    for (let n = 0; n < 50_000; n++) changes.addUser(id(n));
    for (let n = 0; n < 50_000; n++) changes.addMember('group-1', id(n));
    const state = changes.state();
    expect(changes.over).toBe(true);
    expect(changes.count).toBeGreaterThan(500);
    expect(state).toEqual({
      userIds: [],
      groupMemberIds: [],
      nestedGroupIds: [],
      removedGroupIds: [],
      overThreshold: { ids: changes.count },
    });
    expect(JSON.stringify(state).length).toBeLessThan(200);
  });

  it('never holds more than the limit, however the ids arrive', () => {
    const limit = 500;
    const changes = new DeltaChanges(limit);
    let largest = 0;
    for (let n = 0; n < 50_000; n++) {
      if (n % 3 === 0) changes.addUser(id(n));
      else if (n % 3 === 1) changes.addMember(`group-${n % 7}`, id(n));
      else changes.addNestedGroup(id(n));
      largest = Math.max(largest, JSON.stringify(changes.state()).length);
    }
    // At most `limit` ids of 36 characters, each once in a list (plus its group id for a membership).
    expect(largest).toBeLessThan(limit * 60);
  });

  it('counts distinct ids up to the limit and says so past it', () => {
    const changes = new DeltaChanges(3);
    changes.addUser(id(1));
    changes.addUser(id(1));
    changes.addMember('g', id(1));
    changes.addMember('g', id(2));
    changes.addMember('h', id(2));
    changes.addNestedGroup('nested');
    expect(changes.over).toBe(false);
    expect(changes.count).toBe(3);
    expect(changes.state()).toEqual({
      userIds: [id(1)],
      groupMemberIds: [`g/${id(1)}`, `g/${id(2)}`, `h/${id(2)}`],
      nestedGroupIds: ['nested'],
      removedGroupIds: [],
    });
    changes.addRemovedGroup('gone');
    expect(changes.over).toBe(true);
    expect(changes.count).toBe(4);
    changes.addUser(id(9));
    expect(changes.count).toBe(5);
  });

  it('resumes from its heartbeat form, over the threshold or not', () => {
    const first = new DeltaChanges(3);
    first.addUser(id(1));
    first.addMember('g', id(2));
    const resumed = new DeltaChanges(3, JSON.parse(JSON.stringify(first.state())) as object);
    expect(resumed.state()).toEqual(first.state());
    resumed.addUser(id(2));
    expect(resumed.count).toBe(2);
    resumed.addUser(id(3));
    resumed.addUser(id(4));
    expect(resumed.over).toBe(true);
    const again = new DeltaChanges(3, JSON.parse(JSON.stringify(resumed.state())) as object);
    expect(again.over).toBe(true);
    expect(again.count).toBe(4);
  });

  it('resumes from a heartbeat written before the threshold was kept (a deploy mid-round)', () => {
    const old = { userIds: [id(1), id(2), id(3), id(4), id(5)], groupMemberIds: [`g/${id(6)}`] };
    const resumed = new DeltaChanges(3, old);
    expect(resumed.over).toBe(true);
    expect(resumed.state().userIds).toEqual([]);
  });
});
