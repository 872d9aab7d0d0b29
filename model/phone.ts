import { MAX_PHONE_LENGTH } from './limits.js';

export type PhoneResult = { ok: true; phone: string } | { ok: false; reason: string };

/**
 * Normalises a phone number to `+digits` or `digits`: separators ( ) . - / and spaces removed, a
 * trailing extension ("x12", "ext. 12") dropped, a leading international 00 written as +.
 */
export function normalizePhone(value: string): PhoneResult {
  const withoutExtension = value.trim().replace(/\s*(?:x|ext\.?|extension)\s*\d+$/i, '');
  const plus = withoutExtension.startsWith('+');
  const digits = withoutExtension.slice(plus ? 1 : 0).replace(/[\s().\-/]/g, '');
  if (!/^\d+$/.test(digits)) return { ok: false, reason: `"${value}" is not a phone number` };
  if (digits.length < 3) return { ok: false, reason: `"${value}" is too short for a phone number` };
  const phone = plus ? `+${digits}` : digits.startsWith('00') ? `+${digits.slice(2)}` : digits;
  if (phone.length > MAX_PHONE_LENGTH) {
    return { ok: false, reason: `"${value}" is longer than the PBX's ${MAX_PHONE_LENGTH} characters` };
  }
  return { ok: true, phone };
}

/** What the PBX accepts in a number field: digits, letters and ( ) . - + * # (P-Series import rules). */
export function isPbxPhoneText(value: string): boolean {
  return /^[0-9A-Za-z().+*#-]*$/.test(value) && value.length <= MAX_PHONE_LENGTH;
}
