/** Messages of a full sync (`full-sync/<tenant>/<start time>`) and of the activities it runs. */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { GuardVerdict, PlanSummary } from '../model/index.js';

export interface FullSyncInput {
  tenantId: string;
  /** Plan only: report what would change and write nothing. */
  dryRun?: boolean;
}

export type FullSyncPhase = 'planning' | 'awaiting-approval' | 'applying' | 'groups' | 'done';

export interface OffboardingDecision {
  approved: boolean;
  by: string;
  note?: string;
}

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

export interface FullSyncProgress {
  phase: FullSyncPhase;
  dryRun: boolean;
  plan?: PlanSummary;
  guard?: GuardVerdict;
  /** User entities messaged to create, adopt or update (the operator's progress bar counts against it). */
  dispatched?: number;
  decision?: OffboardingDecision;
  convergence?: ConvergenceReport;
  groups?: GroupSyncReport;
}

/** Activities that message user entities record this run id on them (the SyncRunId search attribute). */
export interface SyncRun {
  tenantId: string;
  syncRunId: string;
}

export interface PlanFullSyncInput extends SyncRun {
  dryRun: boolean;
}

export interface DispatchOffboardingInput extends SyncRun {
  users: OffboardCandidate[];
}

export interface AwaitConvergenceInput extends SyncRun {
  expected: number;
}

export const decideOffboardingUpdate = defineUpdate<FullSyncProgress, [OffboardingDecision]>(
  'decideOffboarding',
);
export const fullSyncProgressQuery = defineQuery<FullSyncProgress>('progress');

export const fullSyncWorkflowId = (tenantId: string, startedAt: string): string =>
  `full-sync/${tenantId}/${startedAt}`;
