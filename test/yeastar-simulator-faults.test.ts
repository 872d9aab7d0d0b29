import { api, startHarness, token, type SimHarness } from './support/yeastar-harness.js';

/** Injected faults seen over raw HTTP: non-JSON replies, malformed lists, skipping the first requests. */
const ext = (n: number) => ({
  type: 'SIP',
  number: String(n),
  first_name: 'User',
  last_name: `N${n}`,
  user_password: 'Xq7Wm2Kp9Tz',
  reg_name: String(n),
  reg_password: 'sip-secret-1',
  concurrent_registrations: 1,
  presence_status: 'available',
  organization_list: [{ value: '1' }],
});

let h: SimHarness;
let t: string;
/** The reply as it is on the wire (status, content type, text): the shared `api` helper insists on JSON. */
async function raw(endpoint: string, body?: unknown, query: Record<string, string> = {}) {
  const u = new URL(`/openapi/v1.0/${endpoint}`, h.sim.url);
  u.search = new URLSearchParams({ access_token: t, ...query }).toString();
  const res = await fetch(u, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}
const extensionCount = () => h.sim.control.state().extensions.length;

beforeEach(async () => {
  h = await startHarness();
  t = await token(h.sim);
});
afterEach(() => h.stop());

describe('non-JSON bodies', () => {
  test.each([200, 403, 408, 425, 502, 503, 504])(
    'HTML maintenance page with HTTP %i; the request is not performed',
    async (httpStatus) => {
      h.sim.control.injectFault({ endpoint: 'extension/create', kind: 'body', httpStatus, body: 'html' });
      const res = await raw('extension/create', ext(1001));
      expect(res.status).toBe(httpStatus);
      expect(res.type).toBe('text/html; charset=utf-8');
      expect(res.text).toMatch(/^<!DOCTYPE html>.*maintenance/);
      expect(() => JSON.parse(res.text)).toThrow();
      expect(extensionCount()).toBe(0);
      await expect(raw('extension/create', ext(1001))).resolves.toMatchObject({ status: 200 });
      expect(extensionCount()).toBe(1);
    },
  );

  test('truncated JSON with HTTP 200: the request is performed, the body does not parse', async () => {
    h.sim.control.injectFault({ endpoint: 'extension/create', kind: 'body', body: 'truncated-json' });
    const res = await raw('extension/create', ext(1001));
    expect(res).toMatchObject({ status: 200, type: 'application/json' });
    const full = '{"errcode":0,"errmsg":"SUCCESS","id":1}';
    expect(res.text).toBe(full.slice(0, Math.floor(full.length / 2)));
    expect(() => JSON.parse(res.text)).toThrow();
    expect(extensionCount()).toBe(1);
  });

  test('a verbatim body with 408 or 425; `perform` makes a 504 arrive after the write', async () => {
    h.sim.control.injectFault({ kind: 'body', httpStatus: 408, body: 'Request Timeout' });
    await expect(raw('extension/list')).resolves.toEqual({
      status: 408,
      type: 'text/plain; charset=utf-8',
      text: 'Request Timeout',
    });
    h.sim.control.injectFault({ kind: 'body', httpStatus: 425, body: 'Too Early' });
    await expect(raw('extension/list')).resolves.toMatchObject({ status: 425, text: 'Too Early' });
    h.sim.control.injectFault({
      endpoint: 'extension/create',
      kind: 'body',
      httpStatus: 504,
      body: 'html',
      perform: true,
    });
    await expect(raw('extension/create', ext(1001))).resolves.toMatchObject({ status: 504 });
    expect(extensionCount()).toBe(1);
  });

  test("kind 'http' stays a 503 'Service Unavailable' shorthand", async () => {
    h.sim.control.injectFault({ kind: 'http' });
    await expect(raw('extension/list')).resolves.toEqual({
      status: 503,
      type: 'text/plain; charset=utf-8',
      text: 'Service Unavailable',
    });
  });
});

describe('malformed lists', () => {
  test.each(['data', 'total_number'] as const)('errcode 0 without %s', async (omit) => {
    await api(h.sim.url, 'extension/create', { token: t, body: ext(1001) });
    h.sim.control.injectFault({ endpoint: 'extension/list', kind: 'malformed-list', omit });
    const res = await api(h.sim.url, 'extension/list', { token: t });
    expect(res).toMatchObject({ errcode: 0, errmsg: 'SUCCESS' });
    expect(res).not.toHaveProperty(omit);
    expect(res).toHaveProperty(omit === 'data' ? 'total_number' : 'data');
    await expect(api(h.sim.url, 'extension/list', { token: t })).resolves.toHaveProperty(omit);
  });

  test('an error reply is left as it is', async () => {
    h.sim.control.injectFault({ endpoint: 'extension/list', kind: 'malformed-list' });
    await expect(api(h.sim.url, 'extension/list', { token: 'garbage' })).resolves.toEqual({
      errcode: 10004,
      errmsg: 'TOKEN EXPIRED',
    });
  });
});

describe('skip', () => {
  test('breaks page 2 of a list and nothing else', async () => {
    for (const n of [1001, 1002, 1003]) await api(h.sim.url, 'extension/create', { token: t, body: ext(n) });
    h.sim.control.injectFault({ endpoint: 'extension/list', kind: 'errcode', errcode: -2, skip: 1 });
    const page = (p: number) =>
      api(h.sim.url, 'extension/list', { token: t, query: { page: String(p), page_size: '1' } });
    await expect(page(1)).resolves.toMatchObject({ errcode: 0, data: [{ number: '1001' }] });
    await expect(page(2)).resolves.toEqual({ errcode: -2, errmsg: 'INTERNAL SERVER ERROR' });
    await expect(page(2)).resolves.toMatchObject({ errcode: 0, data: [{ number: '1002' }] });
    await expect(page(3)).resolves.toMatchObject({ errcode: 0, data: [{ number: '1003' }] });
  });

  test('counts only matching requests; count applies once armed', async () => {
    h.sim.control.injectFault({
      endpoint: 'extension/list',
      kind: 'errcode',
      errcode: 70082,
      skip: 2,
      count: 2,
    });
    const list = async () => (await api(h.sim.url, 'extension/list', { token: t })).errcode;
    await expect(list()).resolves.toBe(0);
    await expect(api(h.sim.url, 'organization/list', { token: t })).resolves.toMatchObject({ errcode: 0 });
    await expect(list()).resolves.toBe(0);
    await expect(list()).resolves.toBe(70082);
    await expect(list()).resolves.toBe(70082);
    await expect(list()).resolves.toBe(0);
  });
});
