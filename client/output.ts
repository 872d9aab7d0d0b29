/** Human-readable text, or the raw object as JSON for scripts (`--json`). */
export function render(value: unknown, json: boolean, human: () => string): string {
  return json ? JSON.stringify(value, null, 2) : human();
}

/** One self-overwriting status line on a terminal; plain lines (only when they change) elsewhere. */
export function createStatusLine(stream: NodeJS.WriteStream = process.stderr) {
  let last = '';
  return {
    update(text: string) {
      if (text === last) return;
      last = text;
      if (stream.isTTY) stream.write(`\r\x1b[K${text}`);
      else stream.write(`${text}\n`);
    },
    done() {
      if (stream.isTTY && last) stream.write('\n');
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
