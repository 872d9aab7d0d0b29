/**
 * Characters a terminal acts on instead of showing: C0 controls (ESC starts an escape sequence), DEL, C1
 * controls (U+009B is a one-byte CSI), the bidi controls (which reorder what follows, "Trojan Source") and the
 * line and paragraph separators.
 */
const UNPRINTABLE = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/gu;
/** The same minus C0: JSON.stringify escapes those in strings, and its own layout is newlines. */
const UNPRINTABLE_IN_JSON = /[\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/gu;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
const escaped = (char: string) =>
  SHORT_ESCAPES[char] ?? `\\u${char.codePointAt(0)!.toString(16).padStart(4, '0')}`;

/**
 * A value from the directory or the PBX as it may reach an operator's terminal: every control character
 * (newlines too) written as an escape, `\u001b` for ESC, so a name or title cannot recolour, rewrite or
 * reorder the output around it.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escaped);
}

/**
 * Human-readable text, or the raw object as JSON for scripts (`--json`). Either way no terminal control
 * reaches stdout: the text is made printable line by line (its own line breaks kept), and the JSON gets the
 * controls JSON.stringify leaves raw (C1, bidi) as \u escapes, which stay valid JSON inside its strings.
 */
export function render(value: unknown, json: boolean, human: () => string): string {
  if (json) return JSON.stringify(value, null, 2).replace(UNPRINTABLE_IN_JSON, escaped);
  return human().split('\n').map(printable).join('\n');
}

/** Where progress goes (stderr by default, so stdout stays clean for `--json`). */
export interface TextStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export const silentStream: TextStream = { write: () => true };

/** One self-overwriting status line on a terminal; plain lines (only when they change) elsewhere. */
export function createStatusLine(stream: TextStream = process.stderr) {
  let last = '';
  return {
    update(text: string) {
      if (text === last) return;
      last = text;
      if (stream.isTTY) stream.write(`\r\x1b[K${text}`);
      else stream.write(`${text}\n`);
    },
    done() {
      if (stream.isTTY && last) stream.write('\r\x1b[K');
      last = '';
    },
  };
}

export function progressBar(done: number, total: number, width = 30): string {
  const ratio = total > 0 ? Math.min(1, done / total) : 1;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}`;
}

export const workflowLink = (uiUrl: string, namespace: string, workflowId: string): string =>
  `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;

/** `label  value` rows with the labels padded to one width; rows without a value are left out. */
export function fields(rows: [string, string | number | undefined][], indent = '  '): string {
  const shown = rows.filter((row): row is [string, string | number] => row[1] !== undefined && row[1] !== '');
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown
    .map(([label, value]) => `${indent}${label.padEnd(width)}  ${printable(String(value))}`)
    .join('\n');
}

export const plural = (count: number, one: string, many = `${one}s`): string =>
  `${count} ${count === 1 ? one : many}`;
