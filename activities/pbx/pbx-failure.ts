import { ApplicationFailure } from '@temporalio/common';
import { PbxFailure } from '../../contracts/index.js';

const RETRYABLE = new Set<PbxFailure>([PbxFailure.Unavailable, PbxFailure.Busy, PbxFailure.Session]);

export function isRetryable(type: PbxFailure): boolean {
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
  type: PbxFailure,
  message: string,
  details: PbxFailureDetails,
): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: !isRetryable(type), details: [details] });
}
