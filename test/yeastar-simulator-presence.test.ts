import { createHmac } from 'node:crypto';
import http from 'node:http';
import WebSocket from 'ws';
import { api, startHarness, token, type SimHarness } from './support/yeastar-harness.js';

/** Presence: every effective change (API or by hand) emits a signed 30009; writes are counted for benchmarks. */
let h: SimHarness;
let t: string;
let hook: http.Server;
let secret: string;
let ws: WebSocket;
const webhookBodies: Array<{ signature: string; body: string }> = [];
const wsFrames: string[] = [];

const createExtension = (number: string, presence_status = 'available') =>
  api(h.sim.url, 'extension/create', {
    token: t,
    body: {
      type: 'SIP',
      number,
      user_password: 'Xq7Wm2Kp9Tz',
      reg_name: number,
      reg_password: 'sip-secret-1',
      concurrent_registrations: 1,
      presence_status,
      organization_list: [{ value: '1' }],
    },
  });
const setPresence = (id: number, presence_status: string) =>
  api(h.sim.url, 'extension/update', { token: t, body: { id, presence_status } });
const events = (frames: string[]) =>
  frames.map((f) => JSON.parse(f) as { type: number; msg: string }).map((e) => [e.type, JSON.parse(e.msg)]);
const settle = () => new Promise((r) => setTimeout(r, 150));

beforeEach(async () => {
  webhookBodies.length = 0;
  wsFrames.length = 0;
  h = await startHarness();
  t = await token(h.sim);
  hook = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      webhookBodies.push({
        signature: String(req.headers['x-signature']),
        body: Buffer.concat(chunks).toString(),
      });
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  ({ secret } = h.sim.control.addWebhook(
    `http://127.0.0.1:${(hook.address() as { port: number }).port}/`,
    [30009],
  ));
  ws = new WebSocket(`${h.sim.url.replace('http', 'ws')}/openapi/v1.0/subscribe?access_token=${t}`);
  await new Promise((r) => ws.once('open', r));
  const subscribed = new Promise((r) => ws.once('message', r));
  ws.send(JSON.stringify({ topic_list: [30009] }));
  await subscribed;
  ws.on('message', (d) => wsFrames.push(d.toString()));
  await createExtension('1001');
  await createExtension('1002', 'away');
});
afterEach(async () => {
  ws.close();
  hook.close();
  await h.stop();
});

test('extension/update and hand edits each emit one signed 30009; unchanged writes emit none', async () => {
  await setPresence(1, 'do_not_disturb');
  await setPresence(1, 'do_not_disturb');
  h.sim.control.patchExtension('1002', { presence_status: 'lunch' });
  h.sim.control.patchExtension('1002', { presence_status: 'lunch' });
  h.sim.control.patchExtension('1002', { linkus_enabled: false });
  await api(h.sim.url, 'extension/update', { token: t, body: { id: 2, title: 'Engineer' } });
  await settle();

  const expected = [
    [30009, { extension: '1001', status: 'do_not_disturb' }],
    [30009, { extension: '1002', status: 'lunch' }],
  ];
  expect(events(wsFrames)).toEqual(expected);
  expect(events(webhookBodies.map((w) => w.body))).toEqual(expected);
  for (const { signature, body } of webhookBodies) {
    expect(signature).toBe(createHmac('sha256', secret).update(body).digest('base64'));
    expect(JSON.parse(body)).toMatchObject({ sn: '3631A2124SIM' });
  }
});

test('presenceWrites counts API writes carrying presence_status and those that changed it', async () => {
  h.sim.control.resetCounters();
  expect(h.sim.control.presenceWrites()).toEqual({});
  const before = Date.now();
  await setPresence(1, 'away');
  await setPresence(1, 'away');
  await setPresence(1, 'off_work');
  await setPresence(2, 'away');
  h.sim.control.patchExtension('1002', { presence_status: 'lunch' });
  await api(h.sim.url, 'extension/update', { token: t, body: { id: 2, title: 'Engineer' } });
  await setPresence(2, 'bogus');

  const stats = h.sim.control.presenceWrites();
  expect(stats).toEqual({
    '1001': { writes: 3, changes: 2, lastWriteAt: expect.any(String), lastChangeAt: expect.any(String) },
    '1002': { writes: 1, changes: 0, lastWriteAt: expect.any(String), lastChangeAt: null },
  });
  expect(Date.parse(stats['1001']?.lastChangeAt ?? '')).toBeGreaterThanOrEqual(before - 1);
  h.sim.control.resetCounters();
  expect(h.sim.control.presenceWrites()).toEqual({});
});

test('extension/list reads every presence in pages, sorted by presence_status', async () => {
  for (let n = 1003; n <= 1007; n++) await createExtension(String(n), n % 2 ? 'off_work' : 'business_trip');
  const rows: Array<{ number: string; presence_status: string }> = [];
  for (let page = 1; ; page++) {
    const res = await api(h.sim.url, 'extension/list', {
      token: t,
      query: { page: String(page), page_size: '3', sort_by: 'presence_status', order_by: 'desc' },
    });
    expect(res).toMatchObject({ errcode: 0, total_number: 7 });
    const data = res.data as typeof rows;
    rows.push(...data.map(({ number, presence_status }) => ({ number, presence_status })));
    if (data.length < 3) break;
  }
  expect(rows.map((r) => r.presence_status)).toEqual([
    'off_work',
    'off_work',
    'off_work',
    'business_trip',
    'business_trip',
    'away',
    'available',
  ]);
  expect(new Set(rows.map((r) => r.number)).size).toBe(7);
});
