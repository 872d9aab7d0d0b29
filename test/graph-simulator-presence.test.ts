import { appToken, rawRequest, startHarness, type SimHarness } from './support/graph-sim.js';
import type { PresenceChange, SimPresence } from '../simulators/graph/index.js';

let h: SimHarness;
let token: string;

beforeAll(async () => {
  h = await startHarness({ users: 300, seed: 5 });
  token = await appToken(h.sim);
});

afterAll(async () => {
  await h?.stop();
});

const graph = (path: string, method = 'GET', body?: unknown, bearer = token) =>
  rawRequest(h.sim, method, `/v1.0${path}`, {
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const presences = (ids: string[]) => graph('/communications/getPresencesByUserId', 'POST', { ids });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const key = (p: SimPresence) => `${p.availability}/${p.activity}`;

/** The classic (availability, activity) sets of reference §5. */
const AVAILABILITY = new Set([
  'Available',
  'AvailableIdle',
  'Away',
  'BeRightBack',
  'Busy',
  'BusyIdle',
  'DoNotDisturb',
  'Offline',
  'PresenceUnknown',
]);
const ACTIVITY = new Set([
  'Available',
  'Away',
  'BeRightBack',
  'Busy',
  'DoNotDisturb',
  'InACall',
  'InAConferenceCall',
  'Inactive',
  'InAMeeting',
  'Offline',
  'OffWork',
  'OutOfOffice',
  'PresenceUnknown',
  'Presenting',
  'UrgentInterruptionsOnly',
]);

function usersWithPresence(): string[] {
  return h.sim.control
    .listUsers()
    .flatMap((u) => (u.accountEnabled && u.userType === 'Member' ? [u.id] : []));
}

test('getPresencesByUserId: at most 650 ids, unknown ids answer PresenceUnknown', async () => {
  const ids = Array.from({ length: 651 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
  const tooMany = await presences(ids);
  expect(tooMany.status).toBe(400);
  expect(tooMany.json()).toMatchObject({ error: { code: 'BadRequest' } });
  const ok = await presences(ids.slice(1));
  expect(ok.status).toBe(200);
  const value = ok.json<{ value: { id: string; availability: string }[] }>().value;
  expect(value).toHaveLength(650);
  expect(value[0]).toEqual({ id: ids[1], availability: 'PresenceUnknown', activity: 'PresenceUnknown' });
});

test('setPresences records each effective change with its time; presenceChanges(since) filters', async () => {
  const [a = '', b = ''] = usersWithPresence();
  const before = Date.now();
  h.sim.control.setPresences([
    { userId: a, availability: 'Busy', activity: 'InAConferenceCall' },
    { userId: b, availability: 'Away', activity: 'OutOfOffice' },
  ]);
  h.sim.control.setPresence(a, { availability: 'Busy', activity: 'InAConferenceCall' }); // no change
  const changes = h.sim.control.presenceChanges(before);
  expect(changes.map((c) => [c.userId, key(c)])).toEqual([
    [a, 'Busy/InAConferenceCall'],
    [b, 'Away/OutOfOffice'],
  ]);
  expect(changes.every((c) => c.at >= before && c.at <= Date.now())).toBe(true);
  expect(h.sim.control.presenceChanges(Date.now() + 1000)).toEqual([]);

  const viaHttp = await rawRequest(h.sim, 'POST', '/_sim/setPresences', {
    body: JSON.stringify([[{ userId: a, availability: 'DoNotDisturb', activity: 'Presenting' }]]),
  });
  expect(viaHttp.status).toBe(200);
  const read = (await presences([a, b])).json<{ value: { availability: string; activity: string }[] }>();
  expect(read.value.map(key)).toEqual(['DoNotDisturb/Presenting', 'Away/OutOfOffice']);
});

test('presence rate limit: on by default at 1,500 per 30 s; lowered, every presence endpoint answers 429 with Retry-After', async () => {
  expect(h.sim.control.configure({}).presenceRateLimit).toEqual({ requests: 1500, perSeconds: 30 });
  h.sim.control.configure({ presenceRateLimit: { requests: 3, perSeconds: 2 } });
  try {
    const [id = ''] = usersWithPresence();
    const statuses = [
      (await presences([id])).status,
      (await graph(`/users/${id}/presence`)).status,
      (await graph(`/communications/presences/${id}`)).status,
    ];
    expect(statuses).toEqual([200, 200, 200]);
    const throttled = await presences([id]);
    expect(throttled.status).toBe(429);
    const retryAfter = Number(throttled.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(throttled.json()).toMatchObject({
      error: {
        code: 'TooManyRequests',
        message: 'Please retry again later.',
        innerError: { code: '429', status: '429', message: 'Please retry after' },
      },
    });
    expect((await graph(`/users/${id}/presence`)).status).toBe(429);
    expect((await graph('/users?$top=1')).status).toBe(200); // other endpoints are not limited

    // Per app: another registration has its own window.
    const other = h.sim.control.registerApp({ clientSecret: 'other-app-secret' });
    const otherToken = await appToken(h.sim, other.clientId, 'other-app-secret');
    expect((await graph(`/users/${id}/presence`, 'GET', undefined, otherToken)).status).toBe(200);

    await sleep(retryAfter * 1000 + 20);
    expect((await presences([id])).status).toBe(200);

    h.sim.control.configure({ presenceRateLimit: null });
    const many = await Promise.all(Array.from({ length: 10 }, () => presences([id])));
    expect(many.map((r) => r.status)).toEqual(Array(10).fill(200));
  } finally {
    h.sim.control.configure({ presenceRateLimit: { requests: 1500, perSeconds: 30 } });
  }
});

test('presence churn: the requested rate, spread over time, always a different classic pair; stop ends it', async () => {
  const ids = usersWithPresence();
  const current = new Map<string, string>();
  for (let i = 0; i < ids.length; i += 650) {
    const page = (await presences(ids.slice(i, i + 650))).json<{ value: (SimPresence & { id: string })[] }>();
    for (const p of page.value) current.set(p.id, key(p));
  }
  const started = Date.now();
  // 60 × the users per minute = each user about once a second.
  const info = h.sim.control.startPresenceChurn({ fractionPerMinute: 60, seed: 3 });
  expect(info).toEqual({ users: ids.length, changesPerMinute: 60 * ids.length });
  await sleep(1000);
  h.sim.control.stopPresenceChurn();
  const stoppedAt = Date.now();
  const changes: PresenceChange[] = h.sim.control.presenceChanges(started);

  const expected = ids.length * ((stoppedAt - started) / 1000);
  expect(changes.length).toBeGreaterThan(expected * 0.6);
  expect(changes.length).toBeLessThanOrEqual(expected * 1.1);
  const firstHalf = changes.filter((c) => c.at < started + 500).length;
  expect(firstHalf / changes.length).toBeGreaterThan(0.3);
  expect(firstHalf / changes.length).toBeLessThan(0.7);
  for (const change of changes) {
    expect(AVAILABILITY.has(change.availability) && ACTIVITY.has(change.activity)).toBe(true);
    expect(current.has(change.userId)).toBe(true);
    expect(key(change)).not.toBe(current.get(change.userId));
    current.set(change.userId, key(change));
  }
  const read = (await presences(ids.slice(0, 650))).json<{ value: (SimPresence & { id: string })[] }>();
  expect(read.value.every((p) => current.get(p.id) === key(p))).toBe(true);

  await sleep(150);
  expect(h.sim.control.presenceChanges(stoppedAt + 1)).toEqual([]);
});

test('presence churn over chosen users; the simulator stops it when it stops', async () => {
  const own = await startHarness({ users: 50, seed: 2 });
  try {
    const chosen = own.sim.control
      .listUsers()
      .filter((u) => u.accountEnabled && u.userType === 'Member')
      .slice(0, 2)
      .map((u) => u.id);
    const since = Date.now();
    const viaHttp = await rawRequest(own.sim, 'POST', '/_sim/startPresenceChurn', {
      body: JSON.stringify([{ fractionPerMinute: 600, userIds: chosen }]),
    });
    expect(viaHttp.json()).toEqual({ result: { users: 2, changesPerMinute: 1200 } });
    await sleep(300);
    const changes = own.sim.control.presenceChanges(since);
    expect(changes.length).toBeGreaterThan(2);
    expect(new Set(changes.map((c) => c.userId))).toEqual(new Set(chosen));
  } finally {
    await own.stop();
  }
  const stoppedAt = Date.now();
  await sleep(150);
  expect(own.sim.control.presenceChanges(stoppedAt + 1)).toEqual([]);
});
