import { PRESENCE_PAIRS, samePresence } from './presence-values.js';
import { Rng } from './random.js';
import type { Tenant } from './tenant.js';

export interface PresenceChurnOptions {
  /** Presence changes per minute as a fraction of the users (1 = each user about once a minute). */
  fractionPerMinute: number;
  seed?: number;
  /** Default: every user that has a presence when the churn starts. */
  userIds?: string[];
}

export interface PresenceChurnInfo {
  users: number;
  changesPerMinute: number;
}

const MIN_TICK_MS = 10;
const MAX_TICK_MS = 1000;

/**
 * Benchmark load: changes the presence of users at a steady rate, spread evenly over each minute, always to a
 * different realistic pair, so every change is one the sync must carry to the PBX.
 */
export class PresenceChurn {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly tenant: Tenant) {}

  start(options: PresenceChurnOptions): PresenceChurnInfo {
    this.stop();
    if (!(options.fractionPerMinute > 0) || !Number.isFinite(options.fractionPerMinute)) {
      throw new Error('fractionPerMinute must be a positive number.');
    }
    const rng = new Rng(options.seed ?? 1);
    const users = rng.shuffle(options.userIds ?? [...this.tenant.presence.keys()]);
    if (users.length === 0) throw new Error('No users to change the presence of.');
    const changesPerMinute = options.fractionPerMinute * users.length;
    const perMs = changesPerMinute / 60_000;
    const started = performance.now();
    let done = 0;
    this.timer = setInterval(
      () => {
        const due = Math.floor((performance.now() - started) * perMs);
        for (; done < due; done++) this.change(users[done % users.length] as string, rng);
      },
      Math.min(MAX_TICK_MS, Math.max(MIN_TICK_MS, 1 / perMs)),
    );
    this.timer.unref();
    return { users: users.length, changesPerMinute };
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private change(userId: string, rng: Rng): void {
    if (!this.tenant.users.getLive(userId)) return;
    const current = this.tenant.presence.get(userId);
    this.tenant.setPresence(userId, rng.pick(PRESENCE_PAIRS.filter((p) => !samePresence(current, p))));
  }
}
