/**
 * Every `ApplicationFailure.type` the product raises, in one taxonomy: workflows, retry policies and the CLI
 * match on these. The string values are part of recorded histories: never change one, add a new one.
 */

/** Microsoft Graph and Entra ID. */
export const GraphFailure = {
  /** 429: retryable, `nextRetryDelay` = the server's Retry-After. */
  Throttled: 'GraphThrottled',
  /** 5xx, network, token endpoint unreachable: retryable (Retry-After honoured when sent). */
  Unavailable: 'GraphUnavailable',
  /** 403: the app registration lacks an application permission; non-retryable. */
  PermissionDenied: 'GraphPermissionDenied',
  /** 400 (bad filter, unsupported query): non-retryable, with Graph's message. */
  BadRequest: 'GraphBadRequest',
  /** 404: non-retryable. */
  NotFound: 'GraphNotFound',
  /** Expired or reset delta token (syncStateNotFound, resyncRequired, any 410): start a full sync. */
  DeltaTokenExpired: 'DeltaTokenExpired',
  /** Token request rejected (invalid_client, unknown app, 401 from Graph): non-retryable. */
  AuthenticationFailed: 'GraphAuthenticationFailed',
} as const;
export type GraphFailure = (typeof GraphFailure)[keyof typeof GraphFailure];

/** The PBX (any adapter). */
export const PbxFailure = {
  /** Retryable: PBX unreachable, 5xx, internal error, connection lost. */
  Unavailable: 'PbxUnavailable',
  /** Retryable: PBX busy with a heavy task or throttling us. */
  Busy: 'PbxBusy',
  /** Retryable: token rejected again after one refresh, or the PBX's token cap is reached. */
  Session: 'PbxSession',
  /** Non-retryable: a field value the PBX rejects (details name the object and fields). */
  Validation: 'PbxValidation',
  /** Non-retryable: a unique field (number, email, name) held by another object. */
  Duplicate: 'PbxDuplicate',
  /** Non-retryable: a PBX limit (extension capacity, group count, org depth). */
  Capacity: 'PbxCapacity',
  /** Non-retryable: the object does not exist. */
  NotFound: 'PbxNotFound',
  /** Non-retryable: the object is referenced elsewhere (e.g. a contact in a phonebook). */
  InUse: 'PbxInUse',
  /** Non-retryable: wrong API credentials. */
  AuthFailed: 'PbxAuthFailed',
  /** Non-retryable: no permission, caller IP blocked/forbidden, API or feature disabled. */
  Forbidden: 'PbxForbidden',
  /** Non-retryable: this PBX (variant) cannot do it; see PbxDirectory.capabilities. */
  Unsupported: 'PbxUnsupported',
} as const;
export type PbxFailure = (typeof PbxFailure)[keyof typeof PbxFailure];

/** The sync's own rules. */
export const SyncFailure = {
  /** Non-retryable: no free extension number is left in the user's range. */
  NumberRangeExhausted: 'NumberRangeExhausted',
  /** Retryable: no free number was found within the probes of one attempt (numbers taken meanwhile). */
  NumberProbesExhausted: 'NumberProbesExhausted',
  /** Retryable: a Graph delta ended without a deltaLink (a truncated reply). */
  DeltaIncomplete: 'DeltaIncomplete',
  /** Non-retryable: an activity input names a tenant other than the worker's (a task queue shared by two). */
  WrongTenant: 'WrongTenant',
  /** Retryable: the PBX extension list left out an extension a direct read found (a short read). */
  PbxReadIncomplete: 'PbxReadIncomplete',
  /** Non-retryable: a group the policy names is deleted or unreadable (the permission withdrawn). */
  ChosenGroupUnreadable: 'ChosenGroupUnreadable',
  /** Retryable: the worker began to stop while a long poll ran; another worker takes it over. */
  WorkerStopping: 'WorkerStopping',
} as const;
export type SyncFailure = (typeof SyncFailure)[keyof typeof SyncFailure];
