/** Human-readable text, or the raw object as JSON for scripts (`--json`). */
export function render(value: unknown, json: boolean, human: () => string): string {
  return json ? JSON.stringify(value, null, 2) : human();
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
  return shown.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`).join('\n');
}

export const plural = (count: number, one: string, many = `${one}s`): string =>
  `${count} ${count === 1 ? one : many}`;
