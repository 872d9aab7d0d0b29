/**
 * The PBX as the users-and-groups sync sees it, in PBX-neutral terms. Workflows and the pure model are written against this;
 * Yeastar P-Series (activities/pbx/yeastar) is the first implementation. Ids are opaque strings.
 *
 * Failures are `ApplicationFailure`s whose `type` is one of PBX_FAILURE (activities/pbx/errors.ts); retryable
 * ones (PBX down, busy, throttled) are left to Temporal's retry policy.
 */
import type { ExtensionPresence } from '../../model/index.js';

export type PbxId = string;

/** What this PBX (variant) supports; callers pick a strategy instead of catching "unsupported". */
export interface PbxCapabilities {
  /** An extension can be disabled and re-enabled without deleting it. */
  disableExtension: boolean;
  /** Linkus (softphone/UC client) access can be switched per extension. */
  linkusToggle: boolean;
  /** The extension number can be changed in place. */
  renumberExtension: boolean;
  /** The identity Microsoft sign-in matches is a field of its own (not the email), so it can be cleared. */
  ssoIdentityClearable: boolean;
  maxExtensionGroups: number;
}

/** An extension as read back from the PBX. Flags are undefined when the PBX does not report them. */
export interface PbxExtension {
  id: PbxId;
  number: string;
  firstName: string;
  lastName: string;
  /** Name as the PBX shows it (derived from first/last name). */
  displayName: string;
  email?: string;
  mobile?: string;
  title?: string;
  presence?: ExtensionPresence;
  organizationIds: PbxId[];
  enabled?: boolean;
  linkusEnabled?: boolean;
  /** The identity Microsoft sign-in matches (email/UPN). */
  ssoIdentity?: string;
}

/** One row of the extension list (cheap to read in bulk; use getExtension for the full record). */
export interface PbxExtensionSummary {
  id: PbxId;
  number: string;
  displayName: string;
  email?: string;
  mobile?: string;
  presence?: ExtensionPresence;
}

export interface PbxExtensionInput {
  number: string;
  firstName: string;
  lastName?: string;
  email?: string;
  mobile?: string;
  title?: string;
  presence?: ExtensionPresence;
  /** Membership; empty or omitted = the root organization. */
  organizationIds?: PbxId[];
  linkusEnabled?: boolean;
  ssoIdentity?: string;
  /**
   * Credentials are normally omitted: the adapter then generates strong random ones that satisfy the PBX's
   * rules, so no password ever travels through workflow history. Users log in via SSO or the welcome email.
   */
  userPassword?: string;
  sipPassword?: string;
}

export type PbxExtensionPatch = Partial<
  Omit<PbxExtensionInput, 'number' | 'userPassword' | 'sipPassword'>
> & {
  /** Only when capabilities.renumberExtension. */
  number?: string;
};

export interface PbxCreateResult {
  id: PbxId;
  /** false when the object already existed with the same data (a retried create) and was adopted. */
  created: boolean;
}

export interface PbxOrganization {
  id: PbxId;
  name: string;
  /** undefined for the root organization. */
  parentId?: PbxId;
  memberIds: PbxId[];
}

export interface PbxExtensionGroup {
  id: PbxId;
  name: string;
  /** Every extension is a member (the PBX's "all extensions" selection). */
  allExtensions: boolean;
  memberIds: PbxId[];
}

export interface PbxDirectory {
  readonly capabilities: PbxCapabilities;

  listExtensions(options?: { pageSize?: number }): AsyncIterable<PbxExtensionSummary>;
  getExtension(id: PbxId): Promise<PbxExtension | undefined>;
  /** Full records of several extensions in one request (ids the PBX no longer has are left out). */
  getExtensions(ids: PbxId[]): Promise<PbxExtension[]>;
  findExtensionByNumber(number: string): Promise<PbxExtension | undefined>;
  findExtensionByEmail(email: string): Promise<PbxExtension | undefined>;
  /** Idempotent: an extension with this number and the same email/name already there is adopted (created=false). */
  createExtension(input: PbxExtensionInput): Promise<PbxCreateResult>;
  updateExtension(id: PbxId, patch: PbxExtensionPatch): Promise<void>;
  /** Idempotent: an extension already gone is success. */
  deleteExtension(id: PbxId): Promise<void>;
  /**
   * Replaces the SIP registration password and the user password with random ones nobody keeps: devices and
   * logins that used the old ones stop working. The passwords never leave the adapter.
   */
  replaceCredentials(id: PbxId): Promise<void>;
  /** Requires capabilities.disableExtension. */
  setExtensionEnabled(id: PbxId, enabled: boolean): Promise<void>;
  /** Linkus access (capabilities.linkusToggle) and the identity Microsoft sign-in matches. */
  setLinkusAccess(id: PbxId, access: { enabled: boolean; ssoIdentity?: string }): Promise<void>;
  sendWelcomeEmail(ids: PbxId[]): Promise<void>;

  listOrganizations(): Promise<PbxOrganization[]>;
  /** Idempotent by (parent, name). */
  createOrganization(input: { name: string; parentId?: PbxId }): Promise<PbxCreateResult>;

  listExtensionGroups(): Promise<PbxExtensionGroup[]>;
  /** Idempotent by name. */
  createExtensionGroup(input: { name: string; memberIds: PbxId[] }): Promise<PbxCreateResult>;
  updateExtensionGroup(id: PbxId, patch: { name?: string; memberIds?: PbxId[] }): Promise<void>;
  deleteExtensionGroup(id: PbxId): Promise<void>;

  /** Releases PBX sessions (revokes tokens). Call once at worker shutdown. */
  close(): Promise<void>;
}
