import { describe, expect, it } from '@jest/globals';
import { mapPresence } from '../model/index.js';

describe('mapPresence', () => {
  it.each([
    ['Available', 'Available', 'available'],
    ['Busy', 'InAMeeting', 'away'],
    ['DoNotDisturb', 'Presenting', 'do_not_disturb'],
    ['BeRightBack', 'BeRightBack', 'away'],
    ['Offline', 'OffWork', 'off_work'],
    ['Available', 'OutOfOffice', 'off_work'],
    ['available', undefined, 'available'],
  ])('%s/%s → %s', (availability, activity, status) => {
    expect(mapPresence(availability, activity)).toEqual({ status });
  });

  it('reports unknown values as unknown', () => {
    expect(mapPresence('PresenceUnknown', 'PresenceUnknown')).toEqual({ status: 'unknown' });
    expect(mapPresence(undefined, undefined)).toEqual({ status: 'unknown' });
  });

  it('follows configured rules in order', () => {
    const rules = [
      { availability: 'Busy', activity: 'InACall', presence: 'do_not_disturb' as const },
      { availability: 'Busy', presence: 'lunch' as const },
    ];
    expect(mapPresence('Busy', 'InACall', rules)).toEqual({ status: 'do_not_disturb' });
    expect(mapPresence('Busy', 'InAMeeting', rules)).toEqual({ status: 'lunch' });
    expect(mapPresence('Available', 'Available', rules)).toEqual({ status: 'unknown' });
  });
});
