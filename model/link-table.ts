/** The link table and number ledger, built from what the user entities publish (their search attributes). */
import type { NumberState } from './numbers.js';
import type { ExtensionLink, ExtensionNumber, ObjectId, PbxObjectId } from './types.js';

/** What the model needs of one user entity: its phase and the extension it links or the number it holds. */
export interface EntityRecord {
  objectId: ObjectId;
  /** The entity's lifecycle phase; `quarantined` holds a number without an extension. */
  phase: string;
  extensionId?: PbxObjectId;
  /** The linked extension's number, or the number held in quarantine. */
  number?: ExtensionNumber;
}

export interface LinkTable {
  links: Record<ObjectId, ExtensionLink>;
  numbers: NumberState;
}

/**
 * Links and the ledger as of `now`. A disabled user's link carries a fresh disable mark: the entity owns the
 * grace timer, and the mark keeps the planner from disabling again or deleting early.
 */
export function linkTable(entities: Iterable<EntityRecord>, now: string): LinkTable {
  const links: Record<ObjectId, ExtensionLink> = {};
  const numbers: NumberState = { assigned: {}, quarantined: {} };
  for (const entity of entities) {
    if (!entity.number) continue;
    if (entity.phase === 'quarantined') {
      numbers.quarantined[entity.number] = { releasedAt: now, owner: entity.objectId };
      continue;
    }
    numbers.assigned[entity.number] = entity.objectId;
    if (entity.extensionId === undefined) continue;
    links[entity.objectId] = {
      extensionId: entity.extensionId,
      number: entity.number,
      ...(entity.phase === 'disabled' ? { disabledAt: now } : {}),
    };
  }
  return { links, numbers };
}

/** Puts the numbers these entities hold into `numbers`, replacing what it said about those numbers. */
export function replaceHolders(numbers: NumberState, holders: Iterable<EntityRecord>, now: string): void {
  const held = linkTable(holders, now).numbers;
  for (const number of [...Object.keys(held.assigned), ...Object.keys(held.quarantined)]) {
    delete numbers.assigned[number];
    delete numbers.quarantined[number];
  }
  Object.assign(numbers.assigned, held.assigned);
  Object.assign(numbers.quarantined, held.quarantined);
}
