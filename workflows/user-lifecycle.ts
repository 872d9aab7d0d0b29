import {
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertMemo,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  ENTRA_OBJECT_ID,
  EXTENSION_NUMBER,
  LIFECYCLE_STATE,
  SYNC_RUN_ID,
  TENANT_ID,
  USER_PRINCIPAL_NAME,
  cancelDeleteUpdate,
  ensureUserSignal,
  offboardUserSignal,
  reportUserProblemSignal,
  retryDeleteUpdate,
  userStateQuery,
  type EnsureRequest,
  type FailedDelete,
  type OffboardRequest,
  type UserLifecycleInput,
  type UserLifecycleState,
} from '../contracts/index.js';
import { userDetails, type ExtensionLink } from '../model/index.js';
import { failureOf, type FailureInfo } from './failures.js';

// A few PBX requests each: a short timeout lets a crashed worker's activity be retried elsewhere quickly.
// The activities heartbeat around every PBX request (each at most 15 s): a killed worker is noticed in 20 s.
const pbx = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '20 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

type Pending = { kind: 'ensure'; request: EnsureRequest } | { kind: 'offboard'; request: OffboardRequest };

const SECOND_MS = 1000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The pause after the `failures`th refused delete: the grace period, at most an hour (a policy with a short
 * grace period wants the extension gone soon), doubling up to a day.
 */
export function deleteRetryDelayMs(graceSeconds: number, failures: number): number {
  const first = Math.min(HOUR_MS, Math.max(SECOND_MS, graceSeconds * SECOND_MS));
  return Math.min(DAY_MS, first * 2 ** (failures - 1));
}

/**
 * One Entra user for as long as the sync manages them: holds the link object id ↔ PBX extension, onboards,
 * updates and offboards through idempotent activities. Renames arrive as an ensure for the same object id,
 * so they update the same extension.
 */
export async function userLifecycle(input: UserLifecycleInput): Promise<UserLifecycleState> {
  const state: UserLifecycleState = input.state ?? {
    tenantId: input.tenantId,
    objectId: input.objectId,
    userPrincipalName: input.userPrincipalName,
    phase: 'pending',
    welcomeSent: false,
  };
  let pending: Pending | undefined;

  setHandler(ensureUserSignal, (request) => {
    pending = { kind: 'ensure', request };
  });
  setHandler(offboardUserSignal, (request) => {
    pending = { kind: 'offboard', request };
  });
  setHandler(userStateQuery, () => state);
  const requireFailedDelete = () => {
    if (!state.failedDelete)
      throw new Error(`no delete of this user's extension has failed (state ${state.phase})`);
  };
  setHandler(
    retryDeleteUpdate,
    async () => {
      const { failures } = state.failedDelete!;
      state.failedDelete!.nextAttemptAt = new Date().toISOString();
      // Over when the delete went through, was refused again, or the user returned first.
      await condition(() => state.failedDelete?.failures !== failures);
      return state;
    },
    { validator: requireFailedDelete },
  );
  setHandler(
    cancelDeleteUpdate,
    () => {
      delete state.failedDelete!.nextAttemptAt;
      return state;
    },
    { validator: requireFailedDelete },
  );

  const publish = (syncRunId?: string) => {
    if (syncRunId) state.lastSyncRunId = syncRunId;
    upsertSearchAttributes([
      { key: TENANT_ID, value: state.tenantId },
      { key: ENTRA_OBJECT_ID, value: state.objectId },
      { key: USER_PRINCIPAL_NAME, value: state.userPrincipalName },
      { key: LIFECYCLE_STATE, value: state.phase },
      { key: EXTENSION_NUMBER, value: state.link?.number ?? state.heldNumber ?? null },
      { key: SYNC_RUN_ID, value: state.lastSyncRunId ?? null },
    ]);
    upsertMemo({
      displayName: state.displayName ?? null,
      extensionId: state.link?.extensionId ?? null,
      lastError: state.lastError ?? null,
    });
    setCurrentDetails(userDetails(state));
  };

  // Registered after `publish` exists: a signal buffered by signal-with-start runs at registration.
  setHandler(reportUserProblemSignal, ({ syncRunId, reason }) => {
    state.lastError = reason;
    // A linked user keeps their extension as it is; the phase says whether anything was ever created.
    if (!state.link) state.phase = 'error';
    publish(syncRunId);
  });

  const fail = (failure: FailureInfo, syncRunId: string) => {
    state.phase = 'error';
    state.lastError = failure.message;
    publish(syncRunId);
  };

  const ensure = async (request: EnsureRequest) => {
    state.userPrincipalName = request.desired.userPrincipalName;
    state.displayName = `${request.desired.firstName} ${request.desired.lastName}`.trim();
    try {
      const result = await pbx.ensureExtension({
        desired: request.desired,
        number: state.link?.number ?? state.heldNumber ?? request.number,
        ...(state.link ? { link: state.link } : {}),
        expectNew: request.expectNew,
        adoptExistingByEmail: request.adoptExistingByEmail,
        welcomeEmail: request.sendWelcomeEmail && !state.welcomeSent,
      });
      state.link = result.link;
      if (result.welcomeEmailSent) state.welcomeSent = true;
      delete state.heldNumber;
      delete state.lastError;
      delete state.waitingUntil;
      delete state.accessCut;
      state.phase = 'active';
      publish(request.syncRunId);
    } catch (error) {
      // A failure retrying cannot fix (validation, duplicates, capacity) is recorded on the user.
      const failure = failureOf(error);
      if (!failure.nonRetryable) throw error;
      fail(failure, request.syncRunId);
    }
  };

  const ensureArrives = () => pending?.kind === 'ensure';

  /** Disables now, deletes after the grace period; returns early when the user comes back (an ensure). */
  const offboard = async (request: OffboardRequest) => {
    const link = state.link;
    if (!link) {
      state.phase = 'released';
      publish(request.syncRunId);
      return;
    }
    try {
      state.accessCut = (await pbx.disableExtension(link)).cut;
    } catch (error) {
      const failure = failureOf(error);
      if (!failure.nonRetryable) throw error;
      fail(failure, request.syncRunId);
      return;
    }
    state.phase = 'disabled';
    state.link = { ...link, disabledAt: new Date().toISOString() };
    state.waitingUntil = new Date(Date.now() + request.graceSeconds * 1000).toISOString();
    publish(request.syncRunId);
    if (await condition(ensureArrives, request.graceSeconds * 1000)) return;
    await deleteExtension(link, request);
  };

  const forgetFailedDelete = () => {
    if (!state.failedDelete) return;
    delete state.failedDelete;
    delete state.lastError;
  };

  /**
   * Deletes the extension and holds its number in quarantine for the user. A refused delete keeps the user
   * disabled and linked (the number stays theirs) and is tried again from the main loop.
   */
  const deleteExtension = async (
    link: ExtensionLink,
    { graceSeconds, quarantineSeconds }: FailedDelete['offboarding'],
  ) => {
    try {
      await pbx.deleteExtension(link);
    } catch (error) {
      const failure = failureOf(error);
      if (!failure.nonRetryable || !patched('delete-failure-handling')) throw error;
      const failures = (state.failedDelete?.failures ?? 0) + 1;
      const pause = deleteRetryDelayMs(graceSeconds, failures);
      state.failedDelete = {
        failures,
        nextAttemptAt: new Date(Date.now() + pause).toISOString(),
        offboarding: { graceSeconds, quarantineSeconds },
      };
      state.lastError = `extension ${link.number} could not be deleted: ${failure.message}`;
      delete state.waitingUntil;
      publish();
      return;
    }
    forgetFailedDelete();
    state.heldNumber = link.number;
    delete state.link;
    state.phase = 'quarantined';
    state.waitingUntil = new Date(Date.now() + quarantineSeconds * 1000).toISOString();
    publish();
    if (await condition(ensureArrives, quarantineSeconds * 1000)) return;

    delete state.heldNumber;
    delete state.waitingUntil;
    state.phase = 'released';
    publish();
  };

  const deleteDue = () => {
    const at = state.failedDelete?.nextAttemptAt;
    return at !== undefined && Date.parse(at) <= Date.now();
  };
  const hasWork = () => pending !== undefined || deleteDue() || workflowInfo().continueAsNewSuggested;
  const waitForWork = async () => {
    const at = state.failedDelete?.nextAttemptAt;
    // No timer unless a delete attempt is scheduled: the commands of histories without one stay as they were.
    if (at === undefined) await condition(hasWork);
    else if (!hasWork()) await condition(hasWork, Date.parse(at) - Date.now());
  };

  publish();
  for (;;) {
    await waitForWork();
    const next = pending;
    pending = undefined;
    if (next) {
      // A message supersedes a refused delete: an ensure re-enables the extension, an offboard starts over.
      forgetFailedDelete();
      if (next.kind === 'ensure') await ensure(next.request);
      else await offboard(next.request);
    } else if (deleteDue()) {
      await deleteExtension(state.link!, state.failedDelete!.offboarding);
    } else if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof userLifecycle>({ ...input, state });
    }
    if (state.phase === 'released') return state;
  }
}
