import { ActivityFailure, ApplicationFailure, ChildWorkflowFailure } from '@temporalio/workflow';

export interface FailureInfo {
  /** The ApplicationFailure type (see contracts/failures.ts), when the cause has one. */
  type?: string;
  message: string;
  /** A failure retrying cannot fix (validation, duplicates, capacity, rejected credentials). */
  nonRetryable: boolean;
}

/** What failed underneath an activity or child-workflow failure: the cause the operator needs to read. */
export function failureOf(error: unknown): FailureInfo {
  const cause =
    (error instanceof ActivityFailure || error instanceof ChildWorkflowFailure) && error.cause
      ? error.cause
      : error;
  if (cause instanceof ApplicationFailure)
    return {
      ...(cause.type ? { type: cause.type } : {}),
      message: cause.message,
      nonRetryable: cause.nonRetryable === true,
    };
  return { message: cause instanceof Error ? cause.message : String(cause), nonRetryable: false };
}
