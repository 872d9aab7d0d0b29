import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Typed search attributes: an operator finds "who has extension 1042" in the Temporal UI with these. */
export const TENANT_ID = defineSearchAttributeKey('TenantId', SearchAttributeType.KEYWORD);
export const ENTRA_OBJECT_ID = defineSearchAttributeKey('EntraObjectId', SearchAttributeType.KEYWORD);
export const USER_PRINCIPAL_NAME = defineSearchAttributeKey('UserPrincipalName', SearchAttributeType.KEYWORD);
export const EXTENSION_NUMBER = defineSearchAttributeKey('ExtensionNumber', SearchAttributeType.KEYWORD);
export const LIFECYCLE_STATE = defineSearchAttributeKey('LifecycleState', SearchAttributeType.KEYWORD);
/** The full-sync run whose request a user entity applied last: how a run counts its converged users. */
export const SYNC_RUN_ID = defineSearchAttributeKey('SyncRunId', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [
  TENANT_ID,
  ENTRA_OBJECT_ID,
  USER_PRINCIPAL_NAME,
  EXTENSION_NUMBER,
  LIFECYCLE_STATE,
  SYNC_RUN_ID,
] as const;
