import type { Client } from '@temporalio/client';
import type { NumberState } from '../../model/index.js';
import { linksAndNumbers, listManagedUsers } from './entities.js';

/** How long one whole read of the link table serves the numbers handed out by delta rounds. */
export const LEDGER_MAX_AGE_MS = 10 * 60_000;

export interface CachedLedger {
  readAt: number;
  /** Numbers held by user entities at `readAt`, plus those this process has planned since. */
  numbers: NumberState;
  /** Users with a linked extension at `readAt` (what the offboarding guard weighs a round against). */
  linkCount: number;
}

/**
 * The tenant's number ledger for delta rounds that hand out numbers. Listing every user entity from Temporal's
 * visibility store takes seconds at 10,000 users (much longer on a busy dev server), so the last whole read is
 * kept for a while and the numbers planned meanwhile are added to it. Numbers taken since by another process
 * are found by asking the visibility store about just the planned numbers (see the planner), and the PBX's
 * unique-number rule settles any race left. One per worker process, shared by the activities that hand out numbers.
 */
export function createNumberLedgerCache(clock: () => number = Date.now) {
  const ledgers = new Map<string, CachedLedger>();
  return {
    async get(client: Client, tenantId: string, onProgress: () => void): Promise<CachedLedger> {
      const cached = ledgers.get(tenantId);
      if (cached && clock() - cached.readAt < LEDGER_MAX_AGE_MS) return cached;
      const readAt = clock();
      const managed = await listManagedUsers(client, tenantId, { onProgress });
      const { links, numbers } = linksAndNumbers(managed, new Date(readAt).toISOString());
      const ledger = { readAt, numbers, linkCount: Object.keys(links).length };
      ledgers.set(tenantId, ledger);
      return ledger;
    },

    /** Keeps a whole read made elsewhere (a full sync's), with the numbers its plan handed out. */
    keep(tenantId: string, ledger: CachedLedger): void {
      ledgers.set(tenantId, ledger);
    },
  };
}

export type NumberLedgerCache = ReturnType<typeof createNumberLedgerCache>;
