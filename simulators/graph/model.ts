/** Resource shapes as Microsoft Graph v1.0 returns them (reference §1, §3, §4, §5). */
export interface SimUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  mobilePhone: string | null;
  businessPhones: string[];
  jobTitle: string | null;
  department: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
  companyName: string | null;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  employeeId: string | null;
  otherMails: string[];
  proxyAddresses: string[];
  onPremisesExtensionAttributes: Record<string, string | null>;
  createdDateTime: string;
  deletedDateTime: string | null;
}

export interface SimGroup {
  id: string;
  displayName: string;
  description: string | null;
  mail: string | null;
  mailEnabled: boolean;
  mailNickname: string;
  securityEnabled: boolean;
  groupTypes: string[];
  visibility: string | null;
  createdDateTime: string;
  deletedDateTime: string | null;
}

export interface EmailAddress {
  name: string;
  address: string;
}

export interface SimContact {
  id: string;
  displayName: string;
  givenName: string | null;
  surname: string | null;
  companyName: string | null;
  jobTitle: string | null;
  department: string | null;
  businessPhones: string[];
  homePhones: string[];
  mobilePhone: string | null;
  emailAddresses: EmailAddress[];
  parentFolderId: string;
  createdDateTime: string;
  lastModifiedDateTime: string;
  changeKey: string;
}

export interface SimContactFolder {
  id: string;
  displayName: string;
  parentFolderId: string;
}

export interface SimPresence {
  availability: string;
  activity: string;
}

export const USER_DEFAULT_SELECT = [
  'businessPhones',
  'displayName',
  'givenName',
  'id',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
] as const;

export const GROUP_DEFAULT_SELECT = [
  'id',
  'displayName',
  'description',
  'mail',
  'mailEnabled',
  'mailNickname',
  'securityEnabled',
  'groupTypes',
  'visibility',
  'createdDateTime',
  'deletedDateTime',
] as const;

/** A user with every optional property empty, as Graph stores one created with only the required ones. */
export function blankUser(
  id: string,
  userPrincipalName: string,
  displayName: string,
  createdDateTime: string,
): SimUser {
  return {
    id,
    userPrincipalName,
    displayName,
    givenName: null,
    surname: null,
    mail: null,
    mobilePhone: null,
    businessPhones: [],
    jobTitle: null,
    department: null,
    officeLocation: null,
    preferredLanguage: null,
    companyName: null,
    accountEnabled: true,
    userType: 'Member',
    employeeId: null,
    otherMails: [],
    proxyAddresses: [],
    onPremisesExtensionAttributes: emptyExtensionAttributes(),
    createdDateTime,
    deletedDateTime: null,
  };
}

export function emptyExtensionAttributes(): Record<string, string | null> {
  const attrs: Record<string, string | null> = {};
  for (let i = 1; i <= 15; i++) attrs[`extensionAttribute${i}`] = null;
  return attrs;
}
