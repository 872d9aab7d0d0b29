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

export function emptyExtensionAttributes(): Record<string, string | null> {
  const attrs: Record<string, string | null> = {};
  for (let i = 1; i <= 15; i++) attrs[`extensionAttribute${i}`] = null;
  return attrs;
}
