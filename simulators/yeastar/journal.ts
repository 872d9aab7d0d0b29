import fs from 'node:fs';
import path from 'node:path';

/**
 * Restart-safe record store: collections of JSON records plus a meta map. Every change is appended to
 * `journal.jsonl` (fsync'd) and applied in memory; every `snapshotEvery` changes the whole state is written
 * to `snapshot.json` (tmp + fsync + rename) and the journal is truncated. Journal ops are last-writer-wins,
 * so replaying a journal over a snapshot that already contains it is harmless; a torn last line is skipped.
 */
type JournalOp =
  | { op: 'put'; c: string; id: string; v: unknown }
  | { op: 'del'; c: string; id: string }
  | { op: 'meta'; k: string; v: unknown };

interface Snapshot {
  collections: Record<string, Record<string, unknown>>;
  meta: Record<string, unknown>;
}

export class JournalStore {
  private readonly collections = new Map<string, Map<string, unknown>>();
  private readonly meta = new Map<string, unknown>();
  private fd: number;
  private opsSinceSnapshot = 0;

  constructor(
    private readonly dir: string,
    private readonly options: { fsync: boolean; snapshotEvery: number },
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.load();
    this.fd = fs.openSync(this.journalPath, 'a');
  }

  private get journalPath(): string {
    return path.join(this.dir, 'journal.jsonl');
  }

  private get snapshotPath(): string {
    return path.join(this.dir, 'snapshot.json');
  }

  private load(): void {
    if (fs.existsSync(this.snapshotPath)) {
      const snap = JSON.parse(fs.readFileSync(this.snapshotPath, 'utf8')) as Snapshot;
      for (const [name, records] of Object.entries(snap.collections)) {
        this.collections.set(name, new Map(Object.entries(records)));
      }
      for (const [k, v] of Object.entries(snap.meta)) this.meta.set(k, v);
    }
    if (!fs.existsSync(this.journalPath)) return;
    for (const line of fs.readFileSync(this.journalPath, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        this.apply(JSON.parse(line) as JournalOp);
      } catch {
        // torn write from a crash: the change was never acknowledged
      }
    }
  }

  private apply(op: JournalOp): void {
    if (op.op === 'meta') this.meta.set(op.k, op.v);
    else if (op.op === 'put') this.collection(op.c).set(op.id, op.v);
    else this.collection(op.c).delete(op.id);
  }

  private collection(name: string): Map<string, unknown> {
    let c = this.collections.get(name);
    if (!c) {
      c = new Map();
      this.collections.set(name, c);
    }
    return c;
  }

  private write(op: JournalOp): void {
    fs.writeSync(this.fd, JSON.stringify(op) + '\n');
    if (this.options.fsync) fs.fsyncSync(this.fd);
    this.apply(op);
    if (++this.opsSinceSnapshot >= this.options.snapshotEvery) this.snapshot();
  }

  get<T>(collection: string, id: string | number): T | undefined {
    return this.collection(collection).get(String(id)) as T | undefined;
  }

  all<T>(collection: string): T[] {
    return [...this.collection(collection).values()] as T[];
  }

  count(collection: string): number {
    return this.collection(collection).size;
  }

  put(collection: string, id: string | number, value: unknown): void {
    this.write({ op: 'put', c: collection, id: String(id), v: value });
  }

  del(collection: string, id: string | number): void {
    if (this.collection(collection).has(String(id))) this.write({ op: 'del', c: collection, id: String(id) });
  }

  getMeta<T>(key: string): T | undefined {
    return this.meta.get(key) as T | undefined;
  }

  setMeta(key: string, value: unknown): void {
    this.write({ op: 'meta', k: key, v: value });
  }

  /** Next integer id of a collection (persisted, never reused). */
  nextId(collection: string, first = 1): number {
    const id = this.getMeta<number>(`nextId:${collection}`) ?? first;
    this.setMeta(`nextId:${collection}`, id + 1);
    return id;
  }

  clear(): void {
    this.collections.clear();
    this.meta.clear();
    this.snapshot();
  }

  snapshot(): void {
    const snap: Snapshot = { collections: {}, meta: Object.fromEntries(this.meta) };
    for (const [name, records] of this.collections) snap.collections[name] = Object.fromEntries(records);
    const tmp = `${this.snapshotPath}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    fs.writeSync(fd, JSON.stringify(snap));
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(tmp, this.snapshotPath);
    fs.ftruncateSync(this.fd, 0);
    this.opsSinceSnapshot = 0;
  }

  close(): void {
    this.snapshot();
    fs.closeSync(this.fd);
  }
}
