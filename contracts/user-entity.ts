/** Messages of the user entity (`user/<tenant>/<object id>`), one per managed Entra user. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
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
