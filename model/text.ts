import { REJECTED_NAME_CHARACTERS } from './limits.js';

/** An invisible character (control or format) as `U+202E`, so a note naming it shows what was removed. */
const named = (char: string) =>
  /[\p{Cc}\p{Cf}]/u.test(char)
    ? `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`
    : char;

/**
 * Display text the PBX accepts: rejected characters removed (invisible ones, control and format characters,
 * are named `U+XXXX` in `removed`), whitespace collapsed, trimmed. The text may come out empty: a caller
 * that needs a name checks it.
 */
export function cleanDisplayText(value: string): { text: string; removed: string[] } {
  const removed = [...new Set(value.match(REJECTED_NAME_CHARACTERS) ?? [])].map(named);
  const text = value.replace(REJECTED_NAME_CHARACTERS, '').replace(/\s+/g, ' ').trim();
  return { text, removed };
}

/** Cuts to `max` characters (code points, so no surrogate pair is split). */
export function truncateText(value: string, max: number): string {
  const chars = [...value];
  return chars.length <= max ? value : chars.slice(0, max).join('').trimEnd();
}

export function textLength(value: string): number {
  return [...value].length;
}
