import type { Contact, DirectoryObject, Group, User } from '@microsoft/microsoft-graph-types';
import type {
  ContactDelta,
  EntraContact,
  EntraGroup,
  EntraUser,
  GroupDelta,
  MemberRef,
  MemberType,
  RemovalReason,
  UserDelta,
} from './graph-types.js';

/** The only user fields the product needs ($select keeps pages small). */
export const USER_FIELDS = [
  'id',
  'userPrincipalName',
  'mail',
  'givenName',
  'surname',
  'displayName',
  'mobilePhone',
  'businessPhones',
  'jobTitle',
  'department',
  'accountEnabled',
  'userType',
  'employeeId',
  'onPremisesExtensionAttributes',
  'otherMails',
] as const;
export const GROUP_FIELDS = [
  'id',
  'displayName',
  'mail',
  'mailEnabled',
  'securityEnabled',
  'groupTypes',
] as const;
export const CONTACT_FIELDS = [
  'id',
  'displayName',
  'givenName',
  'surname',
  'companyName',
  'jobTitle',
  'businessPhones',
  'homePhones',
  'mobilePhone',
  'emailAddresses',
] as const;

type Removed = { id: string; '@removed'?: { reason?: string } };
type DeltaMember = DirectoryObject & { '@odata.type'?: string; '@removed'?: unknown };

export function toEntraUser(raw: User): EntraUser {
  return {
    id: raw.id ?? '',
    userPrincipalName: raw.userPrincipalName ?? '',
    mail: raw.mail ?? null,
    givenName: raw.givenName ?? null,
    surname: raw.surname ?? null,
    displayName: raw.displayName ?? null,
    mobilePhone: raw.mobilePhone ?? null,
    businessPhones: raw.businessPhones ?? [],
    jobTitle: raw.jobTitle ?? null,
    department: raw.department ?? null,
    accountEnabled: raw.accountEnabled ?? true,
    userType: raw.userType === 'Guest' ? 'Guest' : 'Member',
    employeeId: raw.employeeId ?? null,
    extensionAttributes: {
      ...(raw.onPremisesExtensionAttributes as Record<string, string | null> | undefined),
    },
    otherMails: raw.otherMails ?? [],
  };
}

export function toEntraGroup(raw: Group): EntraGroup {
  return {
    id: raw.id ?? '',
    displayName: raw.displayName ?? '',
    mail: raw.mail ?? null,
    mailEnabled: raw.mailEnabled ?? false,
    securityEnabled: raw.securityEnabled ?? false,
    groupTypes: raw.groupTypes ?? [],
  };
}

export function toEntraContact(raw: Contact): EntraContact {
  return {
    id: raw.id ?? '',
    displayName: raw.displayName ?? null,
    givenName: raw.givenName ?? null,
    surname: raw.surname ?? null,
    companyName: raw.companyName ?? null,
    jobTitle: raw.jobTitle ?? null,
    businessPhones: raw.businessPhones ?? [],
    homePhones: raw.homePhones ?? [],
    mobilePhone: raw.mobilePhone ?? null,
    emailAddresses: (raw.emailAddresses ?? []).map((e) => ({
      name: e.name ?? null,
      address: e.address ?? null,
    })),
  };
}

export function memberType(odataType: string | undefined): MemberType {
  if (odataType === '#microsoft.graph.user') return 'user';
  if (odataType === '#microsoft.graph.group') return 'group';
  return 'other';
}

export function toMemberRef(raw: DeltaMember): MemberRef {
  return { id: raw.id ?? '', type: memberType(raw['@odata.type']) };
}

function removal(raw: Removed): { id: string; reason: RemovalReason } | undefined {
  if (!raw['@removed']) return undefined;
  return { id: raw.id, reason: raw['@removed'].reason === 'changed' ? 'changed' : 'deleted' };
}

export function toUserDelta(raw: User & Removed): UserDelta {
  const removed = removal(raw);
  return removed ? { kind: 'removed', ...removed } : { kind: 'upsert', user: toEntraUser(raw) };
}

export function toGroupDelta(raw: Group & Removed & { 'members@delta'?: DeltaMember[] }): GroupDelta {
  const removed = removal(raw);
  if (removed) return { kind: 'removed', ...removed };
  const slice = raw['members@delta'];
  if (!slice) return { kind: 'upsert', group: toEntraGroup(raw) };
  return {
    kind: 'upsert',
    group: toEntraGroup(raw),
    members: {
      added: slice.filter((m) => !m['@removed']).map(toMemberRef),
      removed: slice.filter((m) => m['@removed']).map((m) => m.id ?? ''),
    },
  };
}

export function toContactDelta(raw: Contact & Removed): ContactDelta {
  return raw['@removed'] ? { kind: 'removed', id: raw.id } : { kind: 'upsert', contact: toEntraContact(raw) };
}
