/** Messages of the user entity (`user/<tenant>/<object id>`), one per managed Entra user. */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DesiredExtension, ExtensionLink, ExtensionNumber, SyncPolicy } from '../model/index.js';

/** Bring the user's extension to this state (create, adopt, update, re-enable). */
export interface EnsureRequest {
  syncRunId: string;
  desired: DesiredExtension;
  /** The number planned for the user; kept for life once the extension exists. */
  number: ExtensionNumber;
  /** The plan saw no extension for this user: create straight away instead of looking one up first. */
  expectNew: boolean;
  adoptExistingByEmail: boolean;
  sendWelcomeEmail: boolean;
}

/** The user left scope, was disabled or deleted: disable now, delete after the grace period. */
export interface OffboardRequest {
  syncRunId: string;
  reason: string;
  graceSeconds: number;
  quarantineSeconds: number;
}

/** The user cannot be synced as they are in Entra ID (planning found bad input): record why, for operators. */
export interface ProblemReport {
  syncRunId: string;
  reason: string;
}

/**
 * A delete after the grace period that the PBX refused (its reply is the state's `lastError`). The entity stays
 * `disabled` and keeps the link, so the number stays held and the planner neither re-creates nor offboards
 * the user again; it tries again after growing pauses.
 */
export interface FailedDelete {
  /** Refused attempts so far. */
  failures: number;
  /** When the next attempt runs; absent once an operator stopped the retries (`user delete --cancel`). */
  nextAttemptAt?: string;
  /** The offboarding the delete belongs to: its grace period sets the first pause, its quarantine follows. */
  offboarding: Pick<OffboardRequest, 'graceSeconds' | 'quarantineSeconds'>;
}

export type LifecyclePhase = 'pending' | 'active' | 'disabled' | 'quarantined' | 'released' | 'error';

export interface UserLifecycleState {
  tenantId: string;
  objectId: string;
  userPrincipalName: string;
  displayName?: string;
  phase: LifecyclePhase;
  link?: ExtensionLink;
  /** The number a deleted extension had, held back during quarantine and given back if the user returns. */
  heldNumber?: ExtensionNumber;
  welcomeSent: boolean;
  lastError?: string;
  lastSyncRunId?: string;
  /** ISO time until which the current offboarding step waits (grace or quarantine). */
  waitingUntil?: string;
  failedDelete?: FailedDelete;
  /** What disabling the extension cut (passwords, the extension, Linkus, SSO): it depends on the PBX's fields. */
  accessCut?: string[];
}

export interface UserLifecycleInput {
  tenantId: string;
  objectId: string;
  userPrincipalName: string;
  /** Carried across continue-as-new. */
  state?: UserLifecycleState;
}

const DAY_SECONDS = 86_400;

/**
 * The ensure a planned user's entity gets, the same from a full sync, a delta round and `user resync`.
 * `expectNew`: the plan saw no extension with the user's email, so the entity creates without a lookup.
 */
export function ensureRequest(
  syncRunId: string,
  desired: DesiredExtension,
  number: ExtensionNumber,
  policy: Pick<SyncPolicy, 'adoptExistingByEmail'>,
  { expectNew }: { expectNew: boolean },
): EnsureRequest {
  return {
    syncRunId,
    desired,
    number,
    expectNew,
    adoptExistingByEmail: policy.adoptExistingByEmail,
    sendWelcomeEmail: true,
  };
}

export function offboardRequest(
  syncRunId: string,
  reason: string,
  policy: Pick<SyncPolicy, 'offboarding' | 'numbers'>,
): OffboardRequest {
  return {
    syncRunId,
    reason,
    graceSeconds: policy.offboarding.graceDays * DAY_SECONDS,
    quarantineSeconds: policy.numbers.quarantineDays * DAY_SECONDS,
  };
}

export const ensureUserSignal = defineSignal<[EnsureRequest]>('ensureUser');
export const reportUserProblemSignal = defineSignal<[ProblemReport]>('reportUserProblem');
export const offboardUserSignal = defineSignal<[OffboardRequest]>('offboardUser');
export const userStateQuery = defineQuery<UserLifecycleState>('userState');
/**
 * `user delete --now`: try a refused delete again at once. Answers when that attempt is over (or the user
 * returned first) with the state after it; rejected when no delete has failed.
 */
export const retryDeleteUpdate = defineUpdate<UserLifecycleState>('retryDelete');
/**
 * `user delete --cancel`: stop retrying a refused delete. The extension stays disabled and linked; an ensure
 * re-enables it, an offboard starts over, `user delete --now` tries again. Rejected when no delete has failed.
 */
export const cancelDeleteUpdate = defineUpdate<UserLifecycleState>('cancelDelete');

export const userWorkflowId = (tenantId: string, objectId: string): string => `user/${tenantId}/${objectId}`;

/** A user entity as Temporal's visibility store shows it: the link table, read without messaging anyone. */
export interface ManagedUser {
  objectId: string;
  userPrincipalName: string;
  phase: LifecyclePhase;
  extensionId?: string;
  /** The linked extension's number, or the number held in quarantine. */
  number?: string;
  lastError?: string;
}
