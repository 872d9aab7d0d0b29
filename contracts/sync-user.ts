/** Messages of `user resync` (`sync-user/<tenant>/<user>/<start time>`) and its `planUser` activity. */
import type { ConvergenceReport } from './full-sync.js';

export interface SyncUserInput {
  tenantId: string;
  /** Entra object id or user principal name. */
  user: string;
  /** Plan only: message nobody. */
  dryRun?: boolean;
}

export interface PlanUserInput extends SyncUserInput {
  /** Recorded by the user's entity when it applies the request (its SyncRunId search attribute). */
  syncRunId: string;
}

/**
 * `reapply`: nothing differs from what the PBX reports, and the user's entity is asked to apply its state
 * again anyway (idempotent: an unchanged extension costs reads only, and repairs what the PBX does not report).
 */
export type UserAction = 'create' | 'update' | 'adopt' | 'reapply' | 'disable' | 'delete' | 'none';

/** What one user needs, and whether their entity was messaged: small, for workflow history. */
export interface UserPlan {
  /** Undefined when the user is neither in Entra ID nor managed by the sync. */
  objectId?: string;
  userPrincipalName: string;
  action: UserAction;
  /** One readable line: what is done and why, or why nothing is. */
  detail: string;
  /** The extension number the user has, keeps or gets. */
  number?: string;
  /** Fields that differ from the PBX (update, adopt). */
  changes: string[];
  /** Problems that keep the user from syncing (also when the action is `none`). */
  errors: string[];
  notes: string[];
  /** The entity was sent an ensure or an offboard; it reports `syncRunId` when it has applied it. */
  dispatched: boolean;
}

export interface SyncUserResult {
  plan: UserPlan;
  /** Present when the user's entity was messaged: did it apply the request (or record an error)? */
  convergence?: ConvergenceReport;
}

export const syncUserWorkflowId = (tenantId: string, user: string, startedAt: string): string =>
  `sync-user/${tenantId}/${user}/${startedAt}`;
