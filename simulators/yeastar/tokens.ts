import { randomBytes } from 'node:crypto';
import { ApiError, required } from './envelope.js';
import { now, type Handler, type SimContext } from './context.js';

/** get_token / refresh_token / del_token, the 8-token cap and the IP block after failed logins. */
interface TokenRecord {
  clientId: string;
  accessToken: string;
  accessExpiresAt: number;
  refreshToken: string;
  refreshExpiresAt: number;
}

const TOKENS = 'tokens';
const BLOCKED = 'blockedIps';

export function validTokenCount(sim: SimContext, clientId: string): number {
  const t = now();
  return sim.store.all<TokenRecord>(TOKENS).filter((r) => r.clientId === clientId && r.accessExpiresAt > t)
    .length;
}

export function blockedIps(sim: SimContext): string[] {
  return sim.store.getMeta<string[]>(BLOCKED) ?? [];
}

export function unblockIp(sim: SimContext, ip: string): void {
  sim.loginFailures.delete(ip);
  sim.store.setMeta(
    BLOCKED,
    blockedIps(sim).filter((b) => b !== ip),
  );
}

export function assertNotBlocked(sim: SimContext, ip: string): void {
  if (blockedIps(sim).includes(ip)) throw new ApiError(70004);
}

/** Resolves an access token to its client id, or throws the token error. */
export function authenticate(sim: SimContext, token: string | null): string {
  if (!token) throw new ApiError(sim.settings.unknownTokenErrcode);
  const rec = sim.store.get<TokenRecord>(TOKENS, token);
  if (!rec) throw new ApiError(sim.settings.unknownTokenErrcode);
  if (rec.accessExpiresAt <= now()) throw new ApiError(10004);
  return rec.clientId;
}

/** Revokes every access and refresh token (control API: e.g. an admin disabling and re-enabling the API). */
export function revokeAllTokens(sim: SimContext): void {
  for (const rec of sim.store.all<TokenRecord>(TOKENS)) sim.store.del(TOKENS, rec.accessToken);
}

/** Expires every access token now (control API: simulates tokens lapsing mid-run). */
export function expireAccessTokens(sim: SimContext): void {
  for (const rec of sim.store.all<TokenRecord>(TOKENS)) {
    sim.store.put(TOKENS, rec.accessToken, { ...rec, accessExpiresAt: 0 });
  }
}

function purgeDead(sim: SimContext): void {
  const t = now();
  for (const rec of sim.store.all<TokenRecord>(TOKENS)) {
    if (rec.accessExpiresAt <= t && rec.refreshExpiresAt <= t) sim.store.del(TOKENS, rec.accessToken);
  }
}

function issue(sim: SimContext, clientId: string): Record<string, unknown> {
  purgeDead(sim);
  if (validTokenCount(sim, clientId) >= sim.settings.maxTokensPerClient) {
    throw new ApiError(sim.settings.tokenCapErrcode, {
      submsg: 'Maximum number of valid access tokens reached',
    });
  }
  const t = now();
  const rec: TokenRecord = {
    clientId,
    accessToken: randomBytes(16).toString('hex'),
    accessExpiresAt: t + sim.settings.accessTokenTtlSec * 1000,
    refreshToken: randomBytes(16).toString('hex'),
    refreshExpiresAt: t + sim.settings.refreshTokenTtlSec * 1000,
  };
  sim.store.put(TOKENS, rec.accessToken, rec);
  return {
    access_token: rec.accessToken,
    access_token_expire_time: sim.settings.accessTokenTtlSec,
    refresh_token: rec.refreshToken,
    refresh_token_expire_time: sim.settings.refreshTokenTtlSec,
  };
}

export const getToken: Handler = (sim, req) => {
  assertNotBlocked(sim, req.ip);
  const { username, password } = req.body;
  if (username !== sim.settings.clientId || password !== sim.settings.clientSecret) {
    const count = (sim.loginFailures.get(req.ip) ?? 0) + 1;
    sim.loginFailures.set(req.ip, count);
    if (count >= sim.settings.failedLoginsBeforeBlock) {
      sim.store.setMeta(BLOCKED, [...blockedIps(sim), req.ip]);
    }
    throw new ApiError(-1, { invalid_param_list: [{ field: 'username or password', value: 'error' }] });
  }
  sim.loginFailures.delete(req.ip);
  return issue(sim, sim.settings.clientId);
};

export const refreshToken: Handler = (sim, req) => {
  assertNotBlocked(sim, req.ip);
  const given = req.body.refresh_token;
  if (typeof given !== 'string' || !given) throw required('refresh_token');
  const rec = sim.store.all<TokenRecord>(TOKENS).find((r) => r.refreshToken === given);
  if (!rec || rec.refreshExpiresAt <= now()) throw new ApiError(sim.settings.badRefreshTokenErrcode);
  if (sim.settings.refreshRevokesOldToken) sim.store.del(TOKENS, rec.accessToken);
  else sim.store.put(TOKENS, rec.accessToken, { ...rec, refreshExpiresAt: 0 });
  return issue(sim, rec.clientId);
};

export const delToken: Handler = (sim, req) => {
  const token = req.query.get('access_token');
  authenticate(sim, token);
  sim.store.del(TOKENS, token as string);
  return {};
};
