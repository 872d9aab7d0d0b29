import type { SimContact, SimContactFolder } from './model.js';

/**
 * One Outlook contact folder: its contacts in the order they were placed here, and the log of changes
 * (sequence numbers shared with the whole tenant) that its delta reads.
 */
export class ContactFolder {
  private readonly contacts = new Map<string, { contact: SimContact; place: number }>();
  private lastPlace = 0;
  private readonly log: { seq: number; id: string }[] = [];

  constructor(readonly info: SimContactFolder) {}

  get size(): number {
    return this.contacts.size;
  }

  get(id: string): SimContact | undefined {
    return this.contacts.get(id)?.contact;
  }

  list(): SimContact[] {
    return [...this.contacts.values()].map((c) => c.contact);
  }

  /** Places a contact after all others (a new or moved-in contact). */
  put(contact: SimContact): void {
    this.contacts.set(contact.id, { contact, place: ++this.lastPlace });
  }

  remove(id: string): boolean {
    return this.contacts.delete(id);
  }

  logChange(seq: number, id: string): void {
    this.log.push({ seq, id });
  }

  /**
   * Up to `limit` contacts placed after `place`. Paging by place rather than by position keeps an initial
   * delta round from skipping contacts when others are removed between its pages.
   */
  placedAfter(place: number, limit: number): { contacts: SimContact[]; last: number; more: boolean } {
    const contacts: SimContact[] = [];
    let last = place;
    for (const entry of this.contacts.values()) {
      if (entry.place <= place) continue;
      if (contacts.length === limit) return { contacts, last, more: true };
      contacts.push(entry.contact);
      last = entry.place;
    }
    return { contacts, last, more: false };
  }

  /** Ids of contacts added, changed, removed or moved in or out in (since, upto], each once. */
  changedBetween(since: number, upto: number): string[] {
    const ids = new Set<string>();
    for (const entry of this.log) if (entry.seq > since && entry.seq <= upto) ids.add(entry.id);
    return [...ids];
  }
}
