import WebSocket from 'ws';
import { api, startHarness, token, type SimHarness } from './support/yeastar-harness.js';

/** Offboarding checks: a SIP device and a user signing in with an extension's passwords, before and after rotation. */
const OLD = { reg: 'sip-secret-1', user: 'Xq7Wm2Kp9Tz' };
const NEW = { reg: 'N3w-sip-secret-9', user: 'Rt5Yh8Bn3Mc' };
const EXT = {
  type: 'SIP',
  number: '1001',
  first_name: 'Alice',
  last_name: 'Smith',
  email_addr: 'alice@contoso.com',
  user_password: OLD.user,
  reg_name: '1001',
  reg_password: OLD.reg,
  concurrent_registrations: 1,
  presence_status: 'available',
  organization_list: [{ value: '1' }],
};

let h: SimHarness;
let t: string;
const update = (body: Record<string, unknown>) =>
  api(h.sim.url, 'extension/update', { token: t, body: { id: 1, ...body } });
/** The control API over HTTP, as benchmarks and other processes use it. */
async function control(method: string, ...args: unknown[]): Promise<unknown> {
  const res = await fetch(`${h.sim.url}/_sim/${method}`, { method: 'POST', body: JSON.stringify(args) });
  return res.json();
}

beforeEach(async () => {
  h = await startHarness();
  t = await token(h.sim);
  await expect(api(h.sim.url, 'extension/create', { token: t, body: EXT })).resolves.toMatchObject({
    errcode: 0,
  });
});
afterEach(() => h.stop());

test('old SIP and user passwords stop working once extension/update rotates them', async () => {
  await expect(control('sipRegister', '1001', OLD.reg)).resolves.toEqual({ ok: true });
  await expect(control('userLogin', '1001', OLD.user)).resolves.toEqual({ ok: true });
  await expect(control('userLogin', '1001', OLD.user, 'linkus')).resolves.toEqual({ ok: true });

  await expect(update({ reg_password: NEW.reg, user_password: NEW.user })).resolves.toEqual({
    errcode: 0,
    errmsg: 'SUCCESS',
  });

  const wrong = { ok: false, reason: 'wrong-password' };
  await expect(control('sipRegister', '1001', OLD.reg)).resolves.toEqual(wrong);
  await expect(control('userLogin', '1001', OLD.user)).resolves.toEqual(wrong);
  await expect(control('userLogin', '1001', OLD.user, 'linkus')).resolves.toEqual(wrong);
  await expect(control('sipRegister', '1001', NEW.user)).resolves.toEqual(wrong);
  await expect(control('sipRegister', '1001', NEW.reg)).resolves.toEqual({ ok: true });
  await expect(control('userLogin', '1001', NEW.user, 'linkus')).resolves.toEqual({ ok: true });

  const log = h.sim.control.accessLog();
  expect(log.map(({ kind, ok, reason }) => [kind, ok, reason])).toEqual([
    ['sip', true, undefined],
    ['web', true, undefined],
    ['linkus', true, undefined],
    ['sip', false, 'wrong-password'],
    ['web', false, 'wrong-password'],
    ['linkus', false, 'wrong-password'],
    ['sip', false, 'wrong-password'],
    ['sip', true, undefined],
    ['linkus', true, undefined],
  ]);
  expect(log[0]).toEqual({ at: expect.any(String), kind: 'sip', number: '1001', ok: true });
  expect(JSON.stringify(log)).not.toContain(OLD.reg);
});

test.each<[string, string, string]>([
  ['user_password', 'rt5yh8bn3mc', 'no upper case'],
  ['user_password', 'RT5YH8BN3MC', 'no lower case'],
  ['user_password', 'RtYhBnMcQw', 'no digit'],
  ['user_password', 'Rt3456Bn', '4 consecutive digits'],
  ['user_password', 'Rt7777Bn', '4 identical digits'],
  ['user_password', 'Rt1001Bn', 'contains the number'],
  ['user_password', 'Rt5SMITHn', 'contains the last name'],
  ['user_password', '', 'empty'],
  ['reg_password', 'Short7a', 'reg_password of 7'],
  ['reg_password', 'r'.repeat(64), 'reg_password of 64'],
  ['reg_password', '', 'empty'],
])('extension/update %s = %j (%s) → 40002 and the old password keeps working', async (field, value) => {
  const res = await update({ [field]: value });
  expect(res).toMatchObject({ errcode: 40002, invalid_param_list: [{ field, value: '******' }] });
  const old =
    field === 'reg_password'
      ? control('sipRegister', '1001', OLD.reg)
      : control('userLogin', '1001', OLD.user);
  await expect(old).resolves.toEqual({ ok: true });
});

test('reg_password of 8 and 63 characters is accepted', async () => {
  for (const pw of ['8chars!!', 'p'.repeat(63)]) {
    await expect(update({ reg_password: pw })).resolves.toMatchObject({ errcode: 0 });
    await expect(control('sipRegister', '1001', pw)).resolves.toEqual({ ok: true });
  }
});

test('a disabled extension refuses devices and users; Linkus off refuses only Linkus', async () => {
  await expect(update({ enable_extension: 0 })).resolves.toMatchObject({ errcode: 0 });
  const disabled = { ok: false, reason: 'extension-disabled' };
  await expect(control('sipRegister', '1001', OLD.reg)).resolves.toEqual(disabled);
  await expect(control('userLogin', '1001', OLD.user)).resolves.toEqual(disabled);
  await expect(control('userLogin', '1001', OLD.user, 'linkus')).resolves.toEqual(disabled);
  // The password is checked first, so a rotated password still shows as such on a disabled extension.
  await expect(control('sipRegister', '1001', 'not-the-secret')).resolves.toEqual({
    ok: false,
    reason: 'wrong-password',
  });

  h.sim.control.patchExtension('1001', { enabled: true, linkus_enabled: false });
  await expect(control('sipRegister', '1001', OLD.reg)).resolves.toEqual({ ok: true });
  await expect(control('userLogin', '1001', OLD.user)).resolves.toEqual({ ok: true });
  await expect(control('userLogin', '1001', OLD.user, 'linkus')).resolves.toEqual({
    ok: false,
    reason: 'linkus-disabled',
  });
});

test('an unknown or deleted extension is refused', async () => {
  await expect(control('sipRegister', '1999', OLD.reg)).resolves.toEqual({
    ok: false,
    reason: 'unknown-extension',
  });
  await api(h.sim.url, 'extension/delete', { token: t, query: { id: '1' } });
  await expect(control('userLogin', '1001', OLD.user)).resolves.toEqual({
    ok: false,
    reason: 'unknown-extension',
  });
});

test('a successful registration emits 30007; a refused one does not', async () => {
  const ws = new WebSocket(`${h.sim.url.replace('http', 'ws')}/openapi/v1.0/subscribe?access_token=${t}`);
  const frames: Array<{ type: number; msg: string }> = [];
  await new Promise((r) => ws.once('open', r));
  const subscribed = new Promise((r) => ws.once('message', r));
  ws.send(JSON.stringify({ topic_list: [30007] }));
  await subscribed;
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as { type: number; msg: string }));
  try {
    h.sim.control.sipRegister('1001', 'wrong-secret');
    h.sim.control.sipRegister('1001', OLD.reg, '10.0.0.7');
    await new Promise((r) => setTimeout(r, 100));
    expect(frames.map((f) => [f.type, JSON.parse(f.msg)])).toEqual([
      [30007, { extension: '1001', kind: 'Sip', status: 'Registered', registered_ip: '10.0.0.7' }],
    ]);
  } finally {
    ws.close();
  }
});
