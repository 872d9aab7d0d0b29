import type { GuardVerdict, PlanSummary } from '../../model/index.js';

export interface OffboardCandidate {
  objectId: string;
  name: string;
  reason: string;
}

/** What a full-sync plan returns to its workflow: counts, samples and ids only (history stays small). */
export interface FullSyncPlan {
  summary: PlanSummary;
  /** User entities messaged to create, adopt or update (zero on a dry run). */
  dispatched: number;
  offboard: OffboardCandidate[];
  guard: GuardVerdict;
}

export interface ConvergenceReport {
  expected: number;
  applied: number;
  failed: { userPrincipalName: string; error: string }[];
  /** Users that did not report within the wait (still retrying, or superseded by a newer run). */
  unconfirmed: number;
}

export interface GroupSyncReport {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  skipped: string[];
}
