import type { ApplicationFailure } from '@temporalio/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { PbxFailure } from '../contracts/index.js';
import { failureOf, until } from './support/until.js';
import { api, startHarness, type SimHarness } from './support/yeastar-harness.js';

/** Logins and token renewal: rejected credentials must never get our IP blocked, and 10004 refreshes. */

let h: SimHarness;
afterEach(() => h.stop());

describe('rejected logins', () => {
  test('a rotated secret: 200 calls over 10 s make at most 2 logins, never block the IP, and recover', async () => {
    h = await startHarness();
    const dir = h.directory({ loginCooldown: { firstMs: 4_000, maxMs: 30_000 } });
    const rightSecret = h.sim.clientSecret;
    h.sim.control.rotateClientSecret('regenerated-secret');

    const started = Date.now();
    const failures: ApplicationFailure[] = [];
    for (let round = 0; round < 100; round++) {
      // The directory watcher and a full sync hammer the PBX at once: two concurrent calls per round.
      failures.push(
        ...(await Promise.all([
          failureOf<ApplicationFailure>(dir.getExtension('1')),
          failureOf<ApplicationFailure>(dir.findExtensionByNumber('1001')),
        ])),
      );
      await sleep(Math.max(0, started + (round + 1) * 100 - Date.now()));
    }

    expect(failures).toHaveLength(200);
    for (const f of failures) {
      expect(f).toMatchObject({ type: PbxFailure.AuthFailed, nonRetryable: true });
      expect(f.message).toContain('PBX credentials rejected');
      expect(f.message).toContain('username or password');
      expect(f.message).toMatch(/PBX_CLIENT_ID\/PBX_CLIENT_SECRET.*next attempt at \d{4}-\d\d-\d\dT/);
      expect(f.message).not.toContain(rightSecret);
      expect(f.message).not.toContain('regenerated-secret');
    }
    const logins = h.sim.control.counters().get_token ?? 0;
    console.log(`rotated secret: ${logins} get_token requests for 200 calls in ${Date.now() - started} ms`);
    expect(logins).toBeLessThanOrEqual(2);
    expect(h.sim.control.state().blockedIps).toEqual([]);

    h.sim.control.rotateClientSecret(rightSecret);
    await until(
      async () =>
        await dir.getExtension('1').then(
          () => true,
          () => false,
        ),
      15_000,
      'calls work again once the cool-down has passed',
    );
    expect(h.sim.control.counters().get_token).toBe(logins + 1);
    expect(h.sim.control.state().blockedIps).toEqual([]);
  });

  test('an IP blocked by failed logins elsewhere (70004) is remembered too, and named', async () => {
    h = await startHarness();
    for (let i = 0; i < 5; i++) {
      await api(h.sim.url, 'get_token', { body: { username: h.sim.clientId, password: 'typo' } });
    }
    expect(h.sim.control.state().blockedIps).toEqual(['127.0.0.1']);
    h.sim.control.resetCounters();
    const dir = h.directory({ loginCooldown: { firstMs: 1_000, maxMs: 1_000 } });

    const failures = await Promise.all(
      Array.from({ length: 20 }, () => failureOf<ApplicationFailure>(dir.getExtension('1'))),
    );
    failures.push(await failureOf<ApplicationFailure>(dir.getExtension('1')));
    for (const f of failures) {
      expect(f).toMatchObject({ type: PbxFailure.AuthFailed, nonRetryable: true });
      expect(f.message).toContain('70004');
      expect(f.message).toContain('Blocked IPs');
    }
    expect(h.sim.control.counters().get_token).toBe(1);

    h.sim.control.unblockIp('127.0.0.1');
    await until(
      async () =>
        await dir.getExtension('1').then(
          () => true,
          () => false,
        ),
      5_000,
      'calls work again after the unblock and the cool-down',
    );
    expect(h.sim.control.counters().get_token).toBe(2);
  });
});

describe('token renewal', () => {
  test('a 10004 renews with refresh_token, and logs in again only when the refresh is rejected', async () => {
    h = await startHarness();
    const dir = h.directory();
    await dir.getExtension('1');
    const renewals = () => {
      const c = h.sim.control.counters();
      h.sim.control.resetCounters();
      return { get_token: c.get_token ?? 0, refresh_token: c.refresh_token ?? 0 };
    };
    renewals();

    h.sim.control.expireAccessTokens();
    await expect(dir.getExtension('1')).resolves.toBeUndefined();
    expect(renewals()).toEqual({ get_token: 0, refresh_token: 1 });

    h.sim.control.injectFault({ endpoint: 'extension/get', kind: 'errcode', errcode: 10004 });
    await expect(dir.getExtension('1')).resolves.toBeUndefined();
    expect(renewals()).toEqual({ get_token: 0, refresh_token: 1 });

    h.sim.control.revokeAllTokens();
    await expect(dir.getExtension('1')).resolves.toBeUndefined();
    expect(renewals()).toEqual({ get_token: 1, refresh_token: 1 });
    expect(h.sim.control.validTokenCount()).toBeLessThanOrEqual(2);
  });
});
