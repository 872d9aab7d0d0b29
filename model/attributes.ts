import type { DirectoryUser } from './types.js';

/** Graph user properties holding a single string that a mapping, filter or number policy may read. */
const STRING_ATTRIBUTES = [
  'id',
  'userPrincipalName',
  'mail',
  'givenName',
  'surname',
  'displayName',
  'mobilePhone',
  'jobTitle',
  'department',
  'employeeId',
  'userType',
] as const satisfies readonly (keyof DirectoryUser)[];

const BUSINESS_PHONE = /^businessPhones\[(\d)\]$/;
const EXTENSION_ATTRIBUTE = /^extensionAttribute([1-9]|1[0-5])$/;

/** Attribute names the configuration may use: a string property, `businessPhones[N]` or `extensionAttributeN`. */
export function isKnownAttribute(name: string): boolean {
  return (
    (STRING_ATTRIBUTES as readonly string[]).includes(name) ||
    BUSINESS_PHONE.test(name) ||
    EXTENSION_ATTRIBUTE.test(name)
  );
}

/** The attribute's value, or undefined when unset, blank or not a string (bad input never throws). */
export function readAttribute(user: DirectoryUser, name: string): string | undefined {
  const value = rawAttribute(user, name);
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function rawAttribute(user: DirectoryUser, name: string): unknown {
  const phone = BUSINESS_PHONE.exec(name);
  if (phone) return Array.isArray(user.businessPhones) ? user.businessPhones[Number(phone[1])] : undefined;
  if (EXTENSION_ATTRIBUTE.test(name)) return user.extensionAttributes?.[name];
  return (STRING_ATTRIBUTES as readonly string[]).includes(name)
    ? user[name as keyof DirectoryUser]
    : undefined;
}
