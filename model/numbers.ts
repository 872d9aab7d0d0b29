/**
 * Extension-number allocation over a plain, JSON-serialisable ledger. Deterministic (lowest free number
 * first) and idempotent (an owner asking again gets the number it already holds). There is no allocator
 * service: the ledger is built from the user entities (see link-table.ts), planning allocates on a copy, and
 * the PBX's unique-number rule settles a race between two planners.
 */
import type { NumberPolicy, NumberRange } from './policy.js';
import { MAX_EXTENSION_NUMBER_DIGITS } from './limits.js';
import type { ExtensionNumber, ObjectId } from './types.js';

export interface QuarantineEntry {
  releasedAt: string;
  /** The previous owner may take the number back during quarantine (a user who returns keeps it). */
  owner: ObjectId;
}

export interface NumberState {
  assigned: Record<ExtensionNumber, ObjectId>;
  quarantined: Record<ExtensionNumber, QuarantineEntry>;
}

export interface AllocationRequest {
  owner: ObjectId;
  /** A number from the Entra attribute or a previous link; validated, never silently replaced. */
  preferred?: ExtensionNumber;
  /** The group whose `groupRanges` apply; default ranges otherwise. */
  groupId?: ObjectId;
}

export interface AllocationContext {
  policy: NumberPolicy;
  now: string;
  /** Numbers in use on the PBX outside this state (unmanaged extensions), with a label for messages. */
  occupied?: Record<ExtensionNumber, string>;
}

export type AllocationSource = 'kept' | 'preferred' | 'range';

export type AllocationOutcome =
  | { ok: true; owner: ObjectId; number: ExtensionNumber; source: AllocationSource }
  /** `conflictOwner`: the object id already holding the number, for messages naming both users. */
  | { ok: false; owner: ObjectId; reason: string; conflictOwner?: ObjectId };

const DAY_MS = 86_400_000;

export function emptyNumberState(): NumberState {
  return { assigned: {}, quarantined: {} };
}

export type NumberValidation = { ok: true; number: ExtensionNumber } | { ok: false; reason: string };

/** A valid PBX extension number: 1 to MAX_EXTENSION_NUMBER_DIGITS digits. */
export function validateExtensionNumber(value: string): NumberValidation {
  const number = value.trim();
  if (!/^\d+$/.test(number))
    return { ok: false, reason: `"${value}" is not an extension number (digits only)` };
  if (number.length > MAX_EXTENSION_NUMBER_DIGITS) {
    return {
      ok: false,
      reason: `"${value}" has ${number.length} digits, the PBX allows at most ${MAX_EXTENSION_NUMBER_DIGITS}`,
    };
  }
  return { ok: true, number };
}

export function isPbxManaged(number: ExtensionNumber, policy: Pick<NumberPolicy, 'pbxManaged'>): boolean {
  return inRanges(number, policy.pbxManaged);
}

/** Allocates for each request in order on one copy of the state (fast for thousands of requests). */
export function allocateAll(
  state: NumberState,
  requests: readonly AllocationRequest[],
  context: AllocationContext,
): { state: NumberState; outcomes: AllocationOutcome[] } {
  const ledger = new Ledger(state, context);
  const outcomes = requests.map((request) => ledger.allocate(request));
  return { state: ledger.toState(), outcomes };
}

export function allocate(
  state: NumberState,
  request: AllocationRequest,
  context: AllocationContext,
): { state: NumberState; outcome: AllocationOutcome } {
  const { state: next, outcomes } = allocateAll(state, [request], context);
  return { state: next, outcome: outcomes[0]! };
}

function inRanges(number: ExtensionNumber, ranges: readonly NumberRange[]): boolean {
  const value = Number(number);
  return ranges.some((r) => value >= r.from && value <= r.to);
}

function formatRanges(ranges: readonly NumberRange[]): string {
  return ranges.map((r) => (r.from === r.to ? `${r.from}` : `${r.from}–${r.to}`)).join(', ');
}

/** Mutable working copy used inside one `allocateAll` call only. */
class Ledger {
  private readonly assigned: Record<ExtensionNumber, ObjectId>;
  private readonly quarantined: Record<ExtensionNumber, QuarantineEntry>;
  private readonly byOwner = new Map<ObjectId, ExtensionNumber>();
  /** Lowest number per range not yet known to be taken; numbers only get taken within one call. */
  private readonly cursors = new Map<NumberRange, number>();
  private readonly quarantineMs: number;
  private readonly nowMs: number;

  constructor(
    state: NumberState,
    private readonly context: AllocationContext,
  ) {
    this.assigned = { ...state.assigned };
    this.quarantined = { ...state.quarantined };
    for (const [number, owner] of Object.entries(this.assigned)) {
      if (!this.byOwner.has(owner)) this.byOwner.set(owner, number);
    }
    this.quarantineMs = context.policy.quarantineDays * DAY_MS;
    this.nowMs = Date.parse(context.now);
  }

  toState(): NumberState {
    return { assigned: this.assigned, quarantined: this.quarantined };
  }

  allocate(request: AllocationRequest): AllocationOutcome {
    const held = this.byOwner.get(request.owner);
    if (held !== undefined) return { ok: true, owner: request.owner, number: held, source: 'kept' };
    if (request.preferred !== undefined) return this.claimPreferred(request.owner, request.preferred);
    const own = this.ownQuarantinedNumber(request.owner);
    if (own !== undefined) return this.take(request.owner, own, 'kept');
    return this.takeFromRanges(request);
  }

  private claimPreferred(owner: ObjectId, preferred: ExtensionNumber): AllocationOutcome {
    const valid = validateExtensionNumber(preferred);
    if (!valid.ok) return { ok: false, owner, reason: valid.reason };
    const number = valid.number;
    if (isPbxManaged(number, this.context.policy)) {
      return { ok: false, owner, reason: `number ${number} is PBX-managed and never assigned by the sync` };
    }
    const holder = this.assigned[number];
    if (holder !== undefined) {
      return {
        ok: false,
        owner,
        reason: `number ${number} already belongs to ${holder}`,
        conflictOwner: holder,
      };
    }
    const occupant = this.context.occupied?.[number];
    if (occupant !== undefined)
      return { ok: false, owner, reason: `number ${number} is used by ${occupant}` };
    const quarantine = this.quarantined[number];
    if (quarantine && quarantine.owner !== owner && this.stillQuarantined(quarantine)) {
      return {
        ok: false,
        owner,
        reason: `number ${number} was released on ${quarantine.releasedAt} and is quarantined for ${this.context.policy.quarantineDays} days`,
      };
    }
    const source: AllocationSource = quarantine?.owner === owner ? 'kept' : 'preferred';
    return this.take(owner, number, source);
  }

  private ownQuarantinedNumber(owner: ObjectId): ExtensionNumber | undefined {
    return Object.keys(this.quarantined).find(
      (number) =>
        this.quarantined[number]?.owner === owner &&
        this.assigned[number] === undefined &&
        this.context.occupied?.[number] === undefined,
    );
  }

  private takeFromRanges(request: AllocationRequest): AllocationOutcome {
    const ranges = this.rangesFor(request.groupId);
    for (const range of ranges) {
      for (let n = this.cursors.get(range) ?? range.from; n <= range.to; n++) {
        const number = String(n);
        if (this.isFree(number)) {
          this.cursors.set(range, n + 1);
          return this.take(request.owner, number, 'range');
        }
      }
      this.cursors.set(range, range.to + 1);
    }
    return { ok: false, owner: request.owner, reason: `no free extension number in ${formatRanges(ranges)}` };
  }

  private rangesFor(groupId: ObjectId | undefined): readonly NumberRange[] {
    const group = this.context.policy.groupRanges.find((g) => g.groupId === groupId);
    return group?.ranges ?? this.context.policy.ranges;
  }

  private isFree(number: ExtensionNumber): boolean {
    const quarantine = this.quarantined[number];
    return (
      this.assigned[number] === undefined &&
      this.context.occupied?.[number] === undefined &&
      !isPbxManaged(number, this.context.policy) &&
      !(quarantine && this.stillQuarantined(quarantine))
    );
  }

  private stillQuarantined(entry: QuarantineEntry): boolean {
    return this.nowMs < Date.parse(entry.releasedAt) + this.quarantineMs;
  }

  private take(owner: ObjectId, number: ExtensionNumber, source: AllocationSource): AllocationOutcome {
    this.assigned[number] = owner;
    delete this.quarantined[number];
    this.byOwner.set(owner, number);
    return { ok: true, owner, number, source };
  }
}
