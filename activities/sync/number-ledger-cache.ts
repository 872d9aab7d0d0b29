import { Context } from '@temporalio/activity';
import type { NumberState } from '../../model/index.js';
import { linkTable } from '../../model/index.js';
import { listManagedUsers, type Visibility } from './user-entities.js';

/** After this long a kept ledger is read again, in the background: until then the kept one serves. */
export const LEDGER_MAX_AGE_MS = 10 * 60_000;
/** How often a caller waiting for another caller's read heartbeats. */
const WAITING_BEAT_MS = 5_000;

export interface CachedLedger {
  readAt: number;
  /** Numbers held by user entities at `readAt`, plus those this process has planned since. */
  numbers: NumberState;
  /** Users with a linked extension at `readAt` (what the offboarding guard weighs a round against). */
  linkCount: number;
}

/** The running activity's logger; none outside an activity (a test driving the cache directly). */
function activityLog() {
  try {
    return Context.current().log;
  } catch {
    return undefined;
  }
}

async function whileWaiting<T>(promise: Promise<T>, onProgress: () => void): Promise<T> {
  const timer = setInterval(onProgress, WAITING_BEAT_MS);
  try {
    return await promise;
  } finally {
    clearInterval(timer);
  }
}

/**
 * The tenant's number ledger for delta rounds that hand out numbers. Listing every user entity from Temporal's
 * visibility store takes seconds at 10,000 users (much longer on a busy dev server), so the last whole read is
 * kept, the numbers planned meanwhile are added to it, and it is read again in the background once it is old.
 * Numbers taken by another process since the read are found by asking the visibility store about just the
 * planned numbers (see the planner), and the PBX's unique-number rule settles any race left. One per worker
 * process, shared by the activities that hand out numbers.
 */
export function createNumberLedgerCache(clock: () => number = Date.now) {
  const ledgers = new Map<string, CachedLedger>();
  const reading = new Map<string, Promise<CachedLedger>>();

  const read = (visibility: Visibility, tenantId: string, onProgress: () => void): Promise<CachedLedger> => {
    const inFlight = reading.get(tenantId);
    if (inFlight) return inFlight;
    const readAt = clock();
    const promise = listManagedUsers(visibility, tenantId, { onProgress })
      .then((managed) => {
        const { links, numbers } = linkTable(managed.values(), new Date(readAt).toISOString());
        // Numbers this process planned stay taken even if their entity has not published them yet.
        for (const [number, owner] of Object.entries(ledgers.get(tenantId)?.numbers.assigned ?? {}))
          if (numbers.assigned[number] === undefined && numbers.quarantined[number] === undefined)
            numbers.assigned[number] = owner;
        const ledger = { readAt, numbers, linkCount: Object.keys(links).length };
        ledgers.set(tenantId, ledger);
        return ledger;
      })
      .finally(() => reading.delete(tenantId));
    reading.set(tenantId, promise);
    return promise;
  };
  /** Started by an activity; the read may outlive it, so the activity's logger is taken now. */
  const readInBackground = (visibility: Visibility, tenantId: string) => {
    const log = activityLog();
    // The next caller reads again; the failure is logged so a background problem leaves a trace.
    read(visibility, tenantId, () => undefined).catch((error: unknown) =>
      log?.warn('number ledger: background read of the link table failed', {
        tenantId,
        error: error instanceof Error ? error.message : String(error),
      }),
    );
  };

  return {
    /** The kept ledger (read again in the background when old), or a whole read now when there is none. */
    async get(visibility: Visibility, tenantId: string, onProgress: () => void): Promise<CachedLedger> {
      const kept = ledgers.get(tenantId);
      if (!kept) return whileWaiting(read(visibility, tenantId, onProgress), onProgress);
      if (clock() - kept.readAt >= LEDGER_MAX_AGE_MS) readInBackground(visibility, tenantId);
      return kept;
    },

    /** Starts a whole read in the background when none is kept, so the first new hire need not wait for it. */
    warm(visibility: Visibility, tenantId: string): void {
      if (!ledgers.has(tenantId)) readInBackground(visibility, tenantId);
    },

    /** Keeps a whole read made elsewhere (a full sync's), with the numbers its plan handed out. */
    keep(tenantId: string, ledger: CachedLedger): void {
      ledgers.set(tenantId, ledger);
    },
  };
}

export type NumberLedgerCache = ReturnType<typeof createNumberLedgerCache>;
