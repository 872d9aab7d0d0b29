/**
 * Teams presence (Graph availability/activity) → one of the six extension presences of the PBX. The names
 * are the sync's own; they are spelled like Yeastar's API values, and an adapter maps them to its PBX's.
 */

export const EXTENSION_PRESENCES = [
  'available',
  'away',
  'business_trip',
  'do_not_disturb',
  'lunch',
  'off_work',
] as const;

export type ExtensionPresence = (typeof EXTENSION_PRESENCES)[number];

/**
 * A rule matches when each of its set conditions equals the Teams value (case-insensitive); the first
 * matching rule wins, so activity-specific rules go before availability-only ones.
 */
export interface PresenceRule {
  availability?: string;
  activity?: string;
  presence: ExtensionPresence;
}

/**
 * Yeastar has no "busy": Teams Busy (meetings, calls) maps to `away` rather than `do_not_disturb`,
 * because DND rejects calls and a meeting should not; the PBX shows its own call state anyway.
 */
export const DEFAULT_PRESENCE_RULES: PresenceRule[] = [
  { activity: 'OutOfOffice', presence: 'off_work' },
  { activity: 'OffWork', presence: 'off_work' },
  { availability: 'Available', presence: 'available' },
  { availability: 'AvailableIdle', presence: 'available' },
  { availability: 'Busy', presence: 'away' },
  { availability: 'BusyIdle', presence: 'away' },
  { availability: 'DoNotDisturb', presence: 'do_not_disturb' },
  { availability: 'Away', presence: 'away' },
  { availability: 'BeRightBack', presence: 'away' },
  { availability: 'Offline', presence: 'off_work' },
];

/** `unknown` means: leave the extension's presence as it is. */
export type PresenceMapping = { status: ExtensionPresence } | { status: 'unknown' };

export function mapPresence(
  availability: string | undefined,
  activity: string | undefined,
  rules: readonly PresenceRule[] = DEFAULT_PRESENCE_RULES,
): PresenceMapping {
  const rule = rules.find(
    (r) =>
      (r.availability !== undefined || r.activity !== undefined) &&
      sameText(r.availability, availability) &&
      sameText(r.activity, activity),
  );
  return rule ? { status: rule.presence } : { status: 'unknown' };
}

function sameText(condition: string | undefined, value: string | undefined): boolean {
  return condition === undefined || condition.toLowerCase() === (value ?? '').toLowerCase();
}
