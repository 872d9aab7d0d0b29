import { REJECTED_NAME_CHARACTERS } from './limits.js';

/** Display text the PBX accepts: rejected characters removed, whitespace collapsed, trimmed. */
export function cleanDisplayText(value: string): { text: string; removed: string[] } {
  const removed = [...new Set(value.match(REJECTED_NAME_CHARACTERS) ?? [])];
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
