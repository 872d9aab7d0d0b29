import { randomInt } from 'node:crypto';

/**
 * Random credentials for new extensions. The Cloud user_password rule: digits, upper and lower case; no 4
 * consecutive or identical digits; must not contain the extension number or the first/last name.
 */
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnopqrstuvwxyz';
const DIGITS = '23456789';
const pick = (chars: string): string => chars[randomInt(chars.length)] as string;

export function userPasswordAcceptable(pw: string, forbidden: Array<string | undefined>): boolean {
  if (!/\d/.test(pw) || !/[A-Z]/.test(pw) || !/[a-z]/.test(pw) || /\d{4}/.test(pw)) return false;
  const lower = pw.toLowerCase();
  return !forbidden.some((part) => part && lower.includes(part.toLowerCase()));
}

/** 16 characters; a digit every third position, so no digit run can be 4 long. */
export function generateUserPassword(forbidden: Array<string | undefined>): string {
  for (;;) {
    let pw = '';
    for (let i = 0; i < 16; i++) pw += i % 3 === 2 ? pick(DIGITS) : pick(i % 2 ? LOWER : UPPER);
    if (userPasswordAcceptable(pw, forbidden)) return pw;
  }
}

/** SIP registration password: 8–63 characters. */
export function generateSipPassword(): string {
  let pw = '';
  for (let i = 0; i < 24; i++) pw += pick(UPPER + LOWER + DIGITS);
  return pw;
}
