import { api, startHarness, type SimHarness } from './support/yeastar-harness.js';

/** refresh_token as documented, token revocation and a regenerated Client Secret. */
let h: SimHarness;
const login = (password = h.sim.clientSecret) =>
  api(h.sim.url, 'get_token', { body: { username: h.sim.clientId, password } });
const refresh = (refreshToken: unknown) =>
  api(h.sim.url, 'refresh_token', { body: { refresh_token: refreshToken } });
const list = (token: unknown) => api(h.sim.url, 'extension/list', { token: token as string });
const BAD_CREDENTIALS = {
  errcode: -1,
  errmsg: 'FAILURE',
  invalid_param_list: [{ field: 'username or password', value: 'error' }],
};

beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.stop());

describe('refresh_token', () => {
  test('issues a new access and refresh token; the used refresh token is spent', async () => {
    const first = await login();
    const second = await refresh(first.refresh_token);
    expect(second).toEqual({
      errcode: 0,
      errmsg: 'SUCCESS',
      access_token: expect.any(String),
      access_token_expire_time: 1800,
      refresh_token: expect.any(String),
      refresh_token_expire_time: 86400,
    });
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    await expect(list(second.access_token)).resolves.toMatchObject({ errcode: 0 });
    await expect(list(first.access_token)).resolves.toMatchObject({ errcode: 0 });
    await expect(refresh(first.refresh_token)).resolves.toEqual({ errcode: 10004, errmsg: 'TOKEN EXPIRED' });
    await expect(refresh(second.refresh_token)).resolves.toMatchObject({ errcode: 0 });
  });

  test('refreshRevokesOldToken ends the replaced access token', async () => {
    h.sim.control.configure({ refreshRevokesOldToken: true });
    const first = await login();
    await refresh(first.refresh_token);
    await expect(list(first.access_token)).resolves.toMatchObject({ errcode: 10004 });
  });

  test('badRefreshTokenErrcode sets the answer to an unknown or spent refresh token', async () => {
    h.sim.control.configure({ badRefreshTokenErrcode: 40002 });
    await expect(refresh('garbage')).resolves.toEqual({ errcode: 40002, errmsg: 'PARAMETER ERROR' });
    await expect(refresh(undefined)).resolves.toMatchObject({
      errcode: 40002,
      invalid_param_list: [{ field: 'refresh_token', validation_type: 'required' }],
    });
  });
});

test('revokeAllTokens: calls get 10004, refresh fails, a new login works', async () => {
  const first = await login();
  h.sim.control.revokeAllTokens();
  expect(h.sim.control.validTokenCount()).toBe(0);
  await expect(list(first.access_token)).resolves.toEqual({ errcode: 10004, errmsg: 'TOKEN EXPIRED' });
  await expect(refresh(first.refresh_token)).resolves.toMatchObject({ errcode: 10004 });
  const again = await login();
  await expect(list(again.access_token)).resolves.toMatchObject({ errcode: 0 });
});

test('rotateClientSecret: old-secret logins are bad credentials and 5 of them block the IP', async () => {
  const oldSecret = h.sim.clientSecret;
  const before = await login();
  h.sim.control.rotateClientSecret('rotated-secret');
  expect(h.sim.clientSecret).toBe('rotated-secret');
  await expect(list(before.access_token)).resolves.toMatchObject({ errcode: 0 });
  for (let i = 0; i < 5; i++) await expect(login(oldSecret)).resolves.toEqual(BAD_CREDENTIALS);
  await expect(login()).resolves.toEqual({ errcode: 70004, errmsg: 'ACCOUNT IP BLOCKED' });
  await expect(refresh(before.refresh_token)).resolves.toMatchObject({ errcode: 70004 });
  h.sim.control.unblockIp('127.0.0.1');
  await expect(login()).resolves.toMatchObject({ errcode: 0 });
});

test('counters show get_token and refresh_token requests', async () => {
  h.sim.control.resetCounters();
  const first = await login();
  await login('wrong');
  await refresh(first.refresh_token);
  await list(first.access_token);
  expect(h.sim.control.counters()).toEqual({ get_token: 2, refresh_token: 1, 'extension/list': 1 });
});
