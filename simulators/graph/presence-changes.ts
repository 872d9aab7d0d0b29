import type { SimPresence } from './model.js';

export interface PresenceChange extends SimPresence {
  userId: string;
  /** Epoch milliseconds of the change, to measure change → PBX latency. */
  at: number;
}

const LIMIT = 100_000;

/** The most recent effective presence changes (bounded), oldest first. */
export class PresenceChanges {
  private entries: PresenceChange[] = [];

  record(userId: string, presence: SimPresence): void {
    this.entries.push({
      userId,
      availability: presence.availability,
      activity: presence.activity,
      at: Date.now(),
    });
    // Trimming in halves keeps recording O(1) amortised at benchmark rates.
    if (this.entries.length >= 2 * LIMIT) this.entries = this.entries.slice(-LIMIT);
  }

  /** Changes made at or after `since` (epoch ms), at most the last 100,000. */
  list(since = 0): PresenceChange[] {
    const recent = this.entries.length > LIMIT ? this.entries.slice(-LIMIT) : this.entries;
    return recent.filter((c) => c.at >= since);
  }

  clear(): void {
    this.entries = [];
  }
}
