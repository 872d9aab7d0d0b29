import type { SimPresence } from './model.js';

/**
 * Realistic (availability, activity) pairs from the classic value sets (reference §5), which the simulator
 * emits by default. The generator assigns them and the churn generator moves users between them.
 */
export const PRESENCE_PAIRS: readonly SimPresence[] = [
  { availability: 'Available', activity: 'Available' },
  { availability: 'Busy', activity: 'InACall' },
  { availability: 'Busy', activity: 'InAMeeting' },
  { availability: 'DoNotDisturb', activity: 'Presenting' },
  { availability: 'Away', activity: 'Away' },
  { availability: 'BeRightBack', activity: 'BeRightBack' },
  { availability: 'Offline', activity: 'OffWork' },
  { availability: 'AvailableIdle', activity: 'Inactive' },
  { availability: 'Busy', activity: 'Busy' },
  { availability: 'Busy', activity: 'InAConferenceCall' },
  { availability: 'BusyIdle', activity: 'Inactive' },
  { availability: 'DoNotDisturb', activity: 'DoNotDisturb' },
  { availability: 'DoNotDisturb', activity: 'UrgentInterruptionsOnly' },
  { availability: 'Away', activity: 'OutOfOffice' },
  { availability: 'Offline', activity: 'Offline' },
];

export function samePresence(a: SimPresence | undefined, b: SimPresence): boolean {
  return a !== undefined && a.availability === b.availability && a.activity === b.activity;
}
