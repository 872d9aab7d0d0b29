/**
 * The model's own vocabulary, independent of the Graph and Yeastar SDK shapes: adapters translate into
 * these types, the pure functions in model/ work only on them. Everything is plain JSON data.
 */

/** An Entra object id: the identity of a user or group. UPN and mail are mutable attributes. */
export type ObjectId = string;

/** An opaque id the PBX gives an object (extension, extension group). */
export type PbxObjectId = string;

/** A PBX extension number as the PBX spells it: a string of digits. */
export type ExtensionNumber = string;

export type UserType = 'Member' | 'Guest';

/** An Entra user as read from Graph (`$select`ed fields). Graph sends `null` for unset attributes. */
export interface DirectoryUser {
  id: ObjectId;
  userPrincipalName: string;
  mail?: string | null;
  givenName?: string | null;
  surname?: string | null;
  displayName?: string | null;
  mobilePhone?: string | null;
  businessPhones: string[];
  jobTitle?: string | null;
  department?: string | null;
  accountEnabled: boolean;
  userType: UserType;
  employeeId?: string | null;
  /** onPremisesExtensionAttributes: extensionAttribute1 … extensionAttribute15. */
  extensionAttributes?: Record<string, string | null>;
}

/** An Entra group with its direct members; nesting is resolved by `resolveGroupMembership`. */
export interface DirectoryGroup {
  id: ObjectId;
  displayName: string;
  memberUserIds: ObjectId[];
  memberGroupIds: ObjectId[];
}

/** Who a message is about: always both the readable UPN and the stable object id. */
export interface UserRef {
  objectId: ObjectId;
  userPrincipalName: string;
}

/** The PBX fields an in-scope user should have, in neutral (not Yeastar-API) names. */
export interface DesiredExtension extends UserRef {
  /** A number requested through the configured Entra attribute; otherwise the allocator picks one. */
  requestedNumber?: ExtensionNumber;
  firstName: string;
  lastName: string;
  email: string;
  mobile: string;
  title: string;
  /** The mapped department attribute; a source for `organization`. */
  department: string;
  /** The PBX organization, set by `assignGroupDerivedFields`; undefined = organizations not managed. */
  organization?: string;
  /** The Entra group whose number range applies (first configured group the user belongs to). */
  numberGroupId?: ObjectId;
  /** The identity the user signs in to Linkus with (Microsoft SSO). */
  ssoIdentity: string;
  linkusEnabled: boolean;
}

/** An extension as read from the PBX. Optional fields are the ones the PBX may not report. */
export interface ExistingExtension {
  id: PbxObjectId;
  number: ExtensionNumber;
  firstName: string;
  lastName: string;
  email: string;
  mobile: string;
  title: string;
  organizations: string[];
  enabled: boolean;
  ssoIdentity?: string;
  linkusEnabled?: boolean;
}

/** The durable link a user entity keeps between an Entra user and its PBX extension. */
export interface ExtensionLink {
  extensionId: PbxObjectId;
  number: ExtensionNumber;
  /** When the sync disabled the extension (offboarding); the delete follows after the grace period. */
  disabledAt?: string;
}

export interface ExistingExtensionGroup {
  id: PbxObjectId;
  name: string;
  memberExtensionIds: PbxObjectId[];
  /**
   * The chosen Entra group this PBX group stands for (the PBX has no field to mark it: the sync matches by
   * name); undefined = a group the sync never touches.
   */
  managedBy?: ObjectId;
}

/** A problem with one field of one user; `reason` is a full sentence naming the user and the field. */
export interface FieldIssue {
  field: string;
  reason: string;
}

export interface UserIssue extends UserRef {
  field?: string;
  reason: string;
}

export type OutOfScopeReason =
  'ignored' | 'disabled' | 'user-type' | 'not-in-chosen-groups' | 'attribute-filter';

/** What the directory says about one user, after scope evaluation and mapping. */
export type DirectoryEntry =
  | { kind: 'in-scope'; extension: DesiredExtension }
  /** In scope but not mappable: reported, never created, and never offboarded because of it. */
  | { kind: 'invalid'; user: UserRef; errors: FieldIssue[] }
  | { kind: 'out-of-scope'; user: UserRef; reason: OutOfScopeReason };
