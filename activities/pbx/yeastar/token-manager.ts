import { PbxFailure } from '../../../contracts/index.js';
import { pbxFailure } from '../pbx-failure.js';
import { LoginLockout } from './login-lockout.js';
import { failureFromReply } from './yeastar-errcodes.js';
import type { ResolvedYeastarOptions } from './yeastar-options.js';
import type { Envelope, Reply, Transport } from './yeastar-transport.js';

/**
 * One per worker process. The PBX allows only 8 valid access tokens per API client, so tokens are shared by
 * every caller: acquisition is single-flight (concurrent callers await the same request), tokens are refreshed
 * before expiry, and a replaced token is revoked so this process holds at most one (two briefly). Renewal
 * prefers the refresh token, so the client secret travels only when it must. A rejected login is remembered
 * (see LoginLockout). Tokens are never logged or put in error messages.
 */
interface Session {
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
}

/** Renew when this share of the lifetime is left (at most 2 minutes early). */
const RENEW_FRACTION = 0.2;
const RENEW_MAX_MS = 120_000;

/** get_token errcodes that reject the login itself, with what the operator can do about it. */
const LOGIN_REJECTIONS: Record<number, string> = {
  70004:
    'the PBX blocks an IP after 5 failed logins; an admin removes it under Security > Security Rules > Blocked IPs',
  10005: 'the API client has no access; check Integrations > API',
  70087: 'this IP is not on the allow-list under Integrations > API',
};

/** Why the PBX rejected a login, or undefined when the reply is not a rejection. */
function loginRejection(body: Envelope): string | undefined {
  const said = `get_token answered ${body.errcode} ${body.errmsg ?? ''}`.trimEnd();
  if (body.invalid_param_list?.some((p) => p.field === 'username or password'))
    return `${said}: username or password invalid`;
  const why = LOGIN_REJECTIONS[body.errcode];
  return why && `${said}: ${why}`;
}

export class TokenManager {
  private session: Session | undefined;
  private inflight: Promise<string> | undefined;
  private readonly lockout: LoginLockout;
  /** Counts token requests made (for diagnostics and tests; no token values). */
  tokenRequests = 0;

  constructor(
    private readonly transport: Transport,
    private readonly options: Pick<ResolvedYeastarOptions, 'clientId' | 'clientSecret' | 'loginCooldown'>,
  ) {
    this.lockout = new LoginLockout(options.loginCooldown);
  }

  /** A valid access token, acquiring or renewing it when needed; fails fast while a rejected login cools down. */
  token(): Promise<string> {
    const s = this.session;
    if (s && Date.now() < s.accessExpiresAt) return Promise.resolve(s.accessToken);
    const locked = this.lockout.current();
    if (locked) return Promise.reject(locked);
    this.inflight ??= this.renew().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /**
   * The PBX said `token` is expired (10004): renew it unless it was already replaced. The refresh token is
   * kept, so the renewal is a refresh_token call rather than a new login with the secret.
   */
  invalidate(token: string): void {
    if (this.session?.accessToken === token) this.session = { ...this.session, accessExpiresAt: 0 };
  }

  private async renew(): Promise<string> {
    const old = this.session;
    let reply: Reply | undefined;
    if (old && Date.now() < old.refreshExpiresAt) {
      this.tokenRequests++;
      reply = await this.transport.send('POST', 'refresh_token', {}, { refresh_token: old.refreshToken });
      if (reply.kind !== 'envelope' || reply.body.errcode !== 0) reply = undefined;
    }
    if (!reply) {
      this.tokenRequests++;
      reply = await this.transport.send(
        'POST',
        'get_token',
        {},
        { username: this.options.clientId, password: this.options.clientSecret },
      );
    }
    this.session = this.sessionFrom(reply);
    this.lockout.accepted();
    if (old && old.accessToken !== this.session.accessToken) void this.revoke(old.accessToken);
    return this.session.accessToken;
  }

  private sessionFrom(reply: Reply): Session {
    if (reply.kind === 'envelope' && reply.body.errcode === 0) {
      const b = reply.body as unknown as {
        access_token: string;
        access_token_expire_time: number;
        refresh_token: string;
        refresh_token_expire_time: number;
      };
      const t = Date.now();
      const lifetime = (sec: number) => sec * 1000 - Math.min(RENEW_MAX_MS, sec * 1000 * RENEW_FRACTION);
      return {
        accessToken: b.access_token,
        accessExpiresAt: t + lifetime(b.access_token_expire_time),
        refreshToken: b.refresh_token,
        refreshExpiresAt: t + lifetime(b.refresh_token_expire_time),
      };
    }
    const ctx = { object: 'PBX API session', operation: 'get_token' };
    if (reply.kind === 'envelope') {
      const rejection = loginRejection(reply.body);
      if (rejection) throw this.lockout.rejected(rejection, reply.body.errcode);
      if (reply.body.errcode === -1) {
        // At the token cap (errcode undocumented, -1 by default): retry later, tokens expire.
        throw pbxFailure(PbxFailure.Session, 'PBX refused a new access token (token limit reached?)', {
          ...ctx,
          code: -1,
        });
      }
    }
    throw failureFromReply(reply, ctx);
  }

  private async revoke(token: string): Promise<void> {
    await this.transport.send('GET', 'del_token', { access_token: token }).catch(() => undefined);
  }

  /** Revokes the current token (worker shutdown). */
  async close(): Promise<void> {
    await this.inflight?.catch(() => undefined);
    const s = this.session;
    this.session = undefined;
    if (s && Date.now() < s.accessExpiresAt) await this.revoke(s.accessToken);
  }
}
