import { ApplicationFailure } from '@temporalio/common';

/** Stable `ApplicationFailure.type` values raised by every PBX adapter. */
export const PBX_FAILURE = {
  /** Retryable: PBX unreachable, 5xx, internal error, connection lost. */
  UNAVAILABLE: 'PbxUnavailable',
  /** Retryable: PBX busy with a heavy task or throttling us. */
  BUSY: 'PbxBusy',
  /** Retryable: token rejected again after one refresh, or the PBX's token cap is reached. */
  SESSION: 'PbxSession',
  /** Non-retryable: a field value the PBX rejects (details name the object and fields). */
  VALIDATION: 'PbxValidation',
  /** Non-retryable: a unique field (number, email, name) held by another object. */
  DUPLICATE: 'PbxDuplicate',
  /** Non-retryable: a PBX limit (extension capacity, group count, org depth). */
  CAPACITY: 'PbxCapacity',
  /** Non-retryable: the object does not exist. */
  NOT_FOUND: 'PbxNotFound',
  /** Non-retryable: the object is referenced elsewhere (e.g. a contact in a phonebook). */
  IN_USE: 'PbxInUse',
  /** Non-retryable: wrong API credentials. */
  AUTH: 'PbxAuthFailed',
  /** Non-retryable: no permission, caller IP blocked/forbidden, API or feature disabled. */
  FORBIDDEN: 'PbxForbidden',
  /** Non-retryable: this PBX (variant) cannot do it; see PbxDirectory.capabilities. */
  UNSUPPORTED: 'PbxUnsupported',
} as const;
export type PbxFailureType = (typeof PBX_FAILURE)[keyof typeof PBX_FAILURE];

const RETRYABLE = new Set<PbxFailureType>([PBX_FAILURE.UNAVAILABLE, PBX_FAILURE.BUSY, PBX_FAILURE.SESSION]);

export function isRetryable(type: PbxFailureType): boolean {
  return RETRYABLE.has(type);
}

export interface PbxFailureDetails {
  /** e.g. `extension 1042 (alice@contoso.com)`. */
  object: string;
  operation: string;
  code?: number | string;
  fields?: string[];
  /** For DUPLICATE: who holds the value, e.g. `extension 1011`. */
  heldBy?: string;
}

export function pbxFailure(
  type: PbxFailureType,
  message: string,
  details: PbxFailureDetails,
): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: !isRetryable(type), details: [details] });
}
