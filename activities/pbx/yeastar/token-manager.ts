import { PbxFailure } from '../../../contracts/index.js';
import { pbxFailure } from '../pbx-failure.js';
import { failureFromReply } from './yeastar-errcodes.js';
import type { Reply, Transport } from './yeastar-transport.js';

/**
 * One per worker process. The PBX allows only 8 valid access tokens per API client, so tokens are shared by
 * every caller: acquisition is single-flight (concurrent callers await the same request), tokens are refreshed
 * before expiry, and a replaced token is revoked so this process holds at most one (two briefly).
 * Tokens are never logged or put in error messages.
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

export class TokenManager {
  private session: Session | undefined;
  private inflight: Promise<string> | undefined;
  /** Counts token requests made (for diagnostics and tests; no token values). */
  tokenRequests = 0;

  constructor(
    private readonly transport: Transport,
    private readonly credentials: { clientId: string; clientSecret: string },
  ) {}

  /** A valid access token, acquiring or renewing it when needed. */
  token(): Promise<string> {
    const s = this.session;
    if (s && Date.now() < s.accessExpiresAt) return Promise.resolve(s.accessToken);
    this.inflight ??= this.renew().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  /** The PBX said `token` is expired (10004): drop it unless it was already replaced. */
  invalidate(token: string): void {
    if (this.session?.accessToken === token) this.session = undefined;
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
        { username: this.credentials.clientId, password: this.credentials.clientSecret },
      );
    }
    this.session = this.sessionFrom(reply);
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
    const object = 'PBX API session';
    if (reply.kind === 'envelope') {
      const badCredentials = reply.body.invalid_param_list?.some((p) => p.field === 'username or password');
      if (badCredentials) {
        return this.fail(PbxFailure.AuthFailed, 'PBX rejected the API client id/secret', reply.body.errcode);
      }
      if (reply.body.errcode === -1) {
        // At the token cap (errcode undocumented, -1 by default): retry later, tokens expire.
        return this.fail(PbxFailure.Session, 'PBX refused a new access token (token limit reached?)', -1);
      }
    }
    throw failureFromReply(reply, { object, operation: 'get_token' });
  }

  private fail(
    type: typeof PbxFailure.AuthFailed | typeof PbxFailure.Session,
    message: string,
    code: number,
  ): never {
    throw pbxFailure(type, message, { object: 'PBX API session', operation: 'get_token', code });
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
