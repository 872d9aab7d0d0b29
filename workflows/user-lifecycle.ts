import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
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
  ensureUserSignal,
  offboardUserSignal,
  reportUserProblemSignal,
  userStateQuery,
  type EnsureRequest,
  type OffboardRequest,
  type UserLifecycleInput,
  type UserLifecycleState,
} from '../contracts/index.js';

// A few PBX requests each: a short timeout lets a crashed worker's activity be retried elsewhere quickly.
const pbx = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '2 minutes' },
});

type Pending = { kind: 'ensure'; request: EnsureRequest } | { kind: 'offboard'; request: OffboardRequest };

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
  };

  // Registered after `publish` exists: a signal buffered by signal-with-start runs at registration.
  setHandler(reportUserProblemSignal, ({ syncRunId, reason }) => {
    state.lastError = reason;
    // A linked user keeps their extension as it is; the phase says whether anything was ever created.
    if (!state.link) state.phase = 'error';
    publish(syncRunId);
  });

  const fail = (error: unknown, syncRunId: string) => {
    state.phase = 'error';
    state.lastError = describeFailure(error);
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
      state.phase = 'active';
      publish(request.syncRunId);
    } catch (error) {
      if (!isBusinessFailure(error)) throw error;
      fail(error, request.syncRunId);
    }
  };

  const ensureArrives = () => pending?.kind === 'ensure';

  /** Returns true when the user came back (an ensure is pending) before the offboarding finished. */
  const offboard = async (request: OffboardRequest): Promise<boolean> => {
    const link = state.link;
    if (!link) {
      state.phase = 'released';
      publish(request.syncRunId);
      return false;
    }
    try {
      await pbx.disableExtension(link);
    } catch (error) {
      if (!isBusinessFailure(error)) throw error;
      fail(error, request.syncRunId);
      return false;
    }
    state.phase = 'disabled';
    state.link = { ...link, disabledAt: new Date().toISOString() };
    state.waitingUntil = new Date(Date.now() + request.graceSeconds * 1000).toISOString();
    publish(request.syncRunId);
    if (await condition(ensureArrives, request.graceSeconds * 1000)) return true;

    await pbx.deleteExtension(link);
    state.heldNumber = link.number;
    delete state.link;
    state.phase = 'quarantined';
    state.waitingUntil = new Date(Date.now() + request.quarantineSeconds * 1000).toISOString();
    publish();
    if (await condition(ensureArrives, request.quarantineSeconds * 1000)) return true;

    delete state.heldNumber;
    delete state.waitingUntil;
    state.phase = 'released';
    publish();
    return false;
  };

  publish();
  for (;;) {
    await condition(() => pending !== undefined || workflowInfo().continueAsNewSuggested);
    if (pending === undefined) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof userLifecycle>({ ...input, state });
    }
    const next = pending!;
    pending = undefined;
    if (next.kind === 'ensure') {
      await ensure(next.request);
    } else if (!(await offboard(next.request))) {
      if (state.phase === 'released') return state;
    }
  }
}

/** A failure retrying cannot fix (validation, duplicates, capacity): recorded on the user, not retried forever. */
function isBusinessFailure(error: unknown): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    error.cause.nonRetryable === true
  );
}

function describeFailure(error: unknown): string {
  if (error instanceof ActivityFailure && error.cause) return error.cause.message;
  return error instanceof Error ? error.message : String(error);
}
