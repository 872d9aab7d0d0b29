/**
 * Benchmark statistic, per extension number: Open API writes that carried `presence_status` and how many of them
 * changed it, so a benchmark can check "one PBX write per effective change". Control edits are not API writes.
 */
export interface PresenceWriteStats {
  writes: number;
  changes: number;
  lastWriteAt: string;
  lastChangeAt: string | null;
}

export type PresenceWrites = Map<string, PresenceWriteStats>;

export function recordPresenceWrite(log: PresenceWrites, number: string, changed: boolean, at: number): void {
  const prev = log.get(number) ?? { writes: 0, changes: 0, lastWriteAt: '', lastChangeAt: null };
  const iso = new Date(at).toISOString();
  log.set(number, {
    writes: prev.writes + 1,
    changes: prev.changes + (changed ? 1 : 0),
    lastWriteAt: iso,
    lastChangeAt: changed ? iso : prev.lastChangeAt,
  });
}
