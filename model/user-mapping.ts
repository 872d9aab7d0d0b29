/**
 * Entra user → desired PBX extension, through the configured attribute mapping, within the PBX's
 * limits. Never throws: every problem becomes a field issue naming the user (UPN and object id).
 */
import { readAttribute } from './attributes.js';
import type { FieldMapping, FieldTransform, SyncPolicy } from './policy.js';
import {
  MAX_EMAIL_LENGTH,
  MAX_NAME_LENGTH,
  MAX_ORGANIZATION_LENGTH,
  MAX_TITLE_LENGTH,
  VALID_EMAIL,
} from './limits.js';
import { validateExtensionNumber } from './numbers.js';
import { isPbxPhoneText, normalizePhone } from './phone.js';
import { cleanDisplayText, textLength, truncateText } from './text.js';
import type { DesiredExtension, DirectoryUser, FieldIssue, UserRef } from './types.js';

export type MappingResult =
  | { ok: true; extension: DesiredExtension; warnings: FieldIssue[] }
  | { ok: false; user: UserRef; errors: FieldIssue[] };

type TextField = 'firstName' | 'lastName' | 'title' | 'department';

/** Department becomes an organization name, hence the organization limit. */
const TEXT_LIMITS: Record<TextField, number> = {
  firstName: MAX_NAME_LENGTH,
  lastName: MAX_NAME_LENGTH,
  title: MAX_TITLE_LENGTH,
  department: MAX_ORGANIZATION_LENGTH,
};

/** A mapped value before the PBX checks; `cap` is set when a truncate transform asks for shortening. */
interface Transformed {
  value: string;
  cap?: number;
  error?: string;
}

export function describeUser(user: UserRef): string {
  return `${user.userPrincipalName || '(no UPN)'} (${user.objectId || 'no object id'})`;
}

export function mapUser(user: DirectoryUser, policy: Pick<SyncPolicy, 'mapping' | 'numbers'>): MappingResult {
  const ref: UserRef = {
    objectId: typeof user.id === 'string' ? user.id : '',
    userPrincipalName: typeof user.userPrincipalName === 'string' ? user.userPrincipalName : '',
  };
  const who = describeUser(ref);
  const errors: FieldIssue[] = [];
  const warnings: FieldIssue[] = [];
  const fail = (field: string, reason: string) =>
    errors.push({ field, reason: `${who}: ${field} ${reason}` });
  const warn = (field: string, reason: string) =>
    warnings.push({ field, reason: `${who}: ${field} ${reason}` });

  if (!ref.objectId) fail('id', 'is missing');
  if (!ref.userPrincipalName) fail('userPrincipalName', 'is missing');

  const mapping = policy.mapping;
  const names = withNameFallback(user, mapField(user, mapping.firstName), mapField(user, mapping.lastName));
  const text = (field: TextField, mapped: Transformed): string => {
    const { text: cleaned, removed } = cleanDisplayText(mapped.value);
    if (removed.length > 0) {
      warn(
        field,
        `"${mapped.value}" had characters the PBX rejects (${removed.join(' ')}); they were removed`,
      );
    }
    const limit = TEXT_LIMITS[field];
    const cap = Math.min(mapped.cap ?? limit, limit);
    if (textLength(cleaned) <= cap) return cleaned;
    if (mapped.cap === undefined) {
      fail(
        field,
        `is ${textLength(cleaned)} characters long, the PBX allows at most ${limit} (the "truncate" transform shortens it)`,
      );
      return cleaned;
    }
    if (cap === limit) warn(field, `was shortened to the PBX's ${limit} characters`);
    return truncateText(cleaned, cap);
  };

  const firstName = text('firstName', names.firstName);
  const lastName = text('lastName', names.lastName);
  if (!firstName && !lastName) fail('firstName', 'is empty: no name attribute gives text the PBX accepts');
  const title = text('title', mapField(user, mapping.title));
  const department = text('department', mapField(user, mapping.department));

  const emailMapped = mapField(user, mapping.email);
  const email = emailMapped.value;
  if (emailMapped.error) fail('email', emailMapped.error);
  else if (!email) fail('email', `is empty: none of ${mapping.email.from.join(', ')} is set`);
  else if (textLength(email) > MAX_EMAIL_LENGTH)
    fail('email', `"${email}" is longer than the PBX's ${MAX_EMAIL_LENGTH} characters`);
  else if (!VALID_EMAIL.test(email)) {
    fail(
      'email',
      `"${email}" is not an address the PBX accepts (letters, digits and @ _ - . ' only, name@domain.tld)`,
    );
  }

  const mobileMapped = mapField(user, mapping.mobile);
  const mobile = mobileMapped.value;
  if (mobileMapped.error) fail('mobile', mobileMapped.error);
  else if (!isPbxPhoneText(mobile))
    fail('mobile', `"${mobile}" is not a number the PBX accepts (the "phone" transform cleans it)`);

  const requestedNumber = readRequestedNumber(user, policy.numbers.attribute, fail);

  if (errors.length > 0) return { ok: false, user: ref, errors };
  return {
    ok: true,
    warnings,
    extension: {
      ...ref,
      ...(requestedNumber !== undefined && { requestedNumber }),
      firstName,
      lastName,
      email,
      mobile,
      title,
      department,
      ssoIdentity: mapping.ssoIdentity === 'email' ? email : ref.userPrincipalName.toLowerCase(),
      linkusEnabled: mapping.linkus,
    },
  };
}

function mapField(user: DirectoryUser, mapping: FieldMapping): Transformed {
  const raw = mapping.from.map((attribute) => readAttribute(user, attribute)).find((v) => v !== undefined);
  return mapping.transforms.reduce<Transformed>((acc, transform) => applyTransform(acc, transform), {
    value: raw ?? '',
  });
}

function applyTransform(acc: Transformed, transform: FieldTransform): Transformed {
  if (acc.error || acc.value === '') return acc;
  switch (transform) {
    case 'trim':
      return { ...acc, value: acc.value.trim() };
    case 'lowercase':
      return { ...acc, value: acc.value.toLowerCase() };
    case 'phone': {
      const phone = normalizePhone(acc.value);
      return phone.ok ? { ...acc, value: phone.phone } : { ...acc, error: phone.reason };
    }
    case 'truncate':
      return { ...acc, cap: Number.POSITIVE_INFINITY };
    default:
      return { ...acc, cap: Number(transform.slice('truncate:'.length)) };
  }
}

/**
 * With neither first nor last name mapped, split displayName (else the UPN's local part) at the first
 * space: "Mary Ann Lee" → "Mary" / "Ann Lee".
 */
function withNameFallback(
  user: DirectoryUser,
  firstName: Transformed,
  lastName: Transformed,
): { firstName: Transformed; lastName: Transformed } {
  if (firstName.value.trim() || lastName.value.trim()) return { firstName, lastName };
  const upnLocal =
    typeof user.userPrincipalName === 'string' ? user.userPrincipalName.split('@')[0] : undefined;
  const source = (readAttribute(user, 'displayName') ?? upnLocal ?? '').trim();
  const space = source.search(/\s/);
  return space < 0
    ? { firstName: { ...firstName, value: source }, lastName }
    : {
        firstName: { ...firstName, value: source.slice(0, space) },
        lastName: { ...lastName, value: source.slice(space + 1).trim() },
      };
}

function readRequestedNumber(
  user: DirectoryUser,
  attribute: string | undefined,
  fail: (field: string, reason: string) => void,
): string | undefined {
  if (attribute === undefined) return undefined;
  const value = readAttribute(user, attribute);
  if (value === undefined) return undefined;
  const valid = validateExtensionNumber(value);
  if (valid.ok) return valid.number;
  fail('number', `from ${attribute}: ${valid.reason}`);
  return undefined;
}
