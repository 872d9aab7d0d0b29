import { createHash, randomBytes } from 'node:crypto';
import https from 'node:https';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import type { SimContext } from './context.js';
import { extensions, ssoIdentity } from './extensions.js';

/**
 * Microsoft sign-in for Linkus, the PBX side: an admin stores the Entra tenant/app in the PBX (here through the
 * control API), Linkus opens `/linkus/sso/login`, the PBX runs the OIDC authorization-code flow (with PKCE)
 * against the IdP and admits only an existing, enabled, Linkus-enabled extension whose SSO identity matches
 * the id_token. The endpoint paths are the simulator's own: Yeastar documents none.
 */
export interface SsoSettings {
  enabled: boolean;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Authority host, e.g. https://127.0.0.1:8443 (login.microsoftonline.com for real Entra). */
  authorityUrl: string;
  /** PEM of the CA that signed the IdP's TLS certificate (simulated IdPs use their own CA). */
  caPem?: string;
  /** id_token claims compared with the extension's SSO identity, case-insensitively. */
  identityClaims?: string[];
}

export interface SsoLoginResult {
  ok: boolean;
  at: string;
  identity?: string;
  extension?: string;
  reason?: string;
}

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
}

const META = 'sso';
const PENDING_TTL_MS = 10 * 60_000;

export class LinkusSso {
  private readonly pending = new Map<string, { nonce: string; verifier: string; at: number }>();
  readonly logins: SsoLoginResult[] = [];

  constructor(
    private readonly sim: SimContext,
    private readonly baseUrl: () => string,
  ) {}

  get settings(): SsoSettings | undefined {
    return this.sim.store.getMeta<SsoSettings>(META);
  }

  configure(settings: SsoSettings | null): void {
    this.sim.store.setMeta(META, settings ?? undefined);
  }

  private get redirectUri(): string {
    return `${this.baseUrl()}/linkus/sso/callback`;
  }

  private request(url: string, form?: Record<string, string>): Promise<unknown> {
    const ca = this.settings?.caPem;
    const body = form ? new URLSearchParams(form).toString() : undefined;
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method: form ? 'POST' : 'GET',
          ...(ca ? { ca } : {}),
          headers: form ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
          timeout: 10_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            try {
              const json = JSON.parse(text) as Record<string, unknown>;
              if ((res.statusCode ?? 500) >= 400)
                reject(new Error(`${url}: ${json.error ?? res.statusCode}`));
              else resolve(json);
            } catch {
              reject(new Error(`${url}: HTTP ${res.statusCode} non-JSON body`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${url}: timeout`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  private discovery(s: SsoSettings): Promise<Discovery> {
    const base = s.authorityUrl.replace(/\/$/, '');
    return this.request(`${base}/${s.tenantId}/v2.0/.well-known/openid-configuration`) as Promise<Discovery>;
  }

  /** Returns the IdP authorization URL Linkus is redirected to. */
  async start(loginHint: string | null): Promise<string> {
    const s = this.settings;
    if (!s?.enabled) throw new Error('Microsoft sign-in is not enabled on this PBX');
    const d = await this.discovery(s);
    const state = randomBytes(16).toString('hex');
    const nonce = randomBytes(16).toString('hex');
    const verifier = randomBytes(32).toString('base64url');
    const t = Date.now();
    for (const [k, v] of this.pending) if (t - v.at > PENDING_TTL_MS) this.pending.delete(k);
    this.pending.set(state, { nonce, verifier, at: t });
    const url = new URL(d.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: s.clientId,
      response_type: 'code',
      redirect_uri: this.redirectUri,
      response_mode: 'query',
      scope: 'openid profile email',
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
      ...(loginHint ? { login_hint: loginHint } : {}),
    }).toString();
    return url.toString();
  }

  /** Completes the flow; never throws — the result says who was admitted or why not. */
  async callback(params: URLSearchParams): Promise<SsoLoginResult> {
    const result = await this.complete(params).catch((err: Error) => ({ ok: false, reason: err.message }));
    const entry = { ...result, at: new Date().toISOString() };
    this.logins.unshift(entry);
    this.logins.length = Math.min(this.logins.length, 50);
    return entry;
  }

  private async complete(params: URLSearchParams): Promise<Omit<SsoLoginResult, 'at'>> {
    const s = this.settings;
    if (!s?.enabled) return { ok: false, reason: 'Microsoft sign-in is not enabled on this PBX' };
    const pending = this.pending.get(params.get('state') ?? '');
    if (!pending) return { ok: false, reason: 'unknown or expired login state' };
    this.pending.delete(params.get('state') ?? '');
    if (params.get('error')) return { ok: false, reason: `IdP refused: ${params.get('error')}` };
    const d = await this.discovery(s);
    const tokens = (await this.request(d.token_endpoint, {
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: this.redirectUri,
      client_id: s.clientId,
      client_secret: s.clientSecret,
      code_verifier: pending.verifier,
    })) as { id_token?: string };
    if (!tokens.id_token) return { ok: false, reason: 'IdP returned no id_token' };
    const jwks = createLocalJWKSet((await this.request(d.jwks_uri)) as JSONWebKeySet);
    const { payload } = await jwtVerify(tokens.id_token, jwks, {
      issuer: d.issuer,
      audience: s.clientId,
    }).catch((err: Error) => {
      throw new Error(`id_token rejected: ${err.message}`);
    });
    if (payload.nonce !== pending.nonce) return { ok: false, reason: 'id_token nonce mismatch' };
    const claims = (s.identityClaims ?? ['email', 'preferred_username', 'upn'])
      .map((c) => payload[c])
      .filter((v): v is string => typeof v === 'string' && v !== '');
    const identity = claims[0];
    if (!identity) return { ok: false, reason: 'id_token carries no email/UPN claim' };
    const wanted = new Set(claims.map((c) => c.toLowerCase()));
    const ext = extensions(this.sim).find((e) => wanted.has(ssoIdentity(this.sim.settings, e).toLowerCase()));
    if (!ext) return { ok: false, identity, reason: `no extension has SSO identity ${identity}` };
    if (!ext.enabled)
      return { ok: false, identity, extension: ext.number, reason: `extension ${ext.number} is disabled` };
    if (!ext.linkus_enabled) {
      return {
        ok: false,
        identity,
        extension: ext.number,
        reason: `Linkus is disabled for extension ${ext.number}`,
      };
    }
    return { ok: true, identity, extension: ext.number };
  }
}
