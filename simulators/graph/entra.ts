import { X509Certificate, createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { thumbprints, type AppRegistration } from './apps.js';
import type { SimContext } from './context.js';
import { json, Router, type SimRequest, type SimResponse } from './http.js';

const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const TOKEN_ROUTE = '/{tenant}/oauth2/v2.0/token';
const CODE_TTL_MS = 10 * 60_000;

interface AuthCode {
  clientId: string;
  redirectUri: string;
  userId: string;
  nonce: string | null;
  scope: string;
  expires: number;
}

class AadError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    description: string,
  ) {
    super(description);
  }
}

/** An Entra error body (reference §8): JSON always, AADSTS code in the description. */
function aadErrorResponse(err: AadError): SimResponse {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z';
  return json(
    {
      error: err.error,
      error_description: `AADSTS${err.aadsts}: ${err.message} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [err.aadsts],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${err.aadsts}`,
    },
    err.status,
    { 'cache-control': 'no-store, no-cache' },
  );
}

function secretsEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest();
  const y = createHash('sha256').update(b).digest();
  return timingSafeEqual(x, y);
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function createEntraRouter(sim: SimContext): Router<SimContext> {
  const codes = new Map<string, AuthCode>();
  const base = (req: SimRequest) => `${req.origin}/${sim.tenantId}`;

  function checkTenant(tenant: string | undefined): void {
    if (tenant !== sim.tenantId) {
      throw new AadError(400, 'invalid_tenant', 90002, `Tenant '${tenant ?? ''}' not found.`);
    }
  }

  async function authenticateClient(req: SimRequest, form: URLSearchParams): Promise<AppRegistration> {
    const clientId = form.get('client_id') ?? '';
    const app = sim.apps.get(clientId);
    if (!app) {
      throw new AadError(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory '${sim.tenantId}'.`,
      );
    }
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      if (app.clientSecret && secretsEqual(secret, app.clientSecret)) return app;
      throw new AadError(
        401,
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      );
    }
    if (assertion !== null) {
      await verifyAssertion(req, app, assertion);
      return app;
    }
    throw new AadError(
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }

  /** Certificate credentials: x5t#S256 (PS256) or x5t (RS256) must name the registered certificate. */
  async function verifyAssertion(req: SimRequest, app: AppRegistration, assertion: string): Promise<void> {
    const fail = (why: string) =>
      new AadError(401, 'invalid_client', 700027, `Client assertion failed signature validation. ${why}`);
    if (!app.certificatePem) throw fail('No certificate is registered for this application.');
    let header;
    try {
      header = decodeProtectedHeader(assertion);
    } catch {
      throw fail('The assertion is not a JWT.');
    }
    const prints = thumbprints(app.certificatePem);
    const matches = header['x5t#S256'] === prints.sha256 || header.x5t === prints.sha1;
    if (!matches) {
      throw new AadError(
        401,
        'invalid_client',
        700027,
        'Client assertion contains an invalid signature. Key was not found.',
      );
    }
    try {
      await jwtVerify(assertion, new X509Certificate(app.certificatePem).publicKey, {
        algorithms: ['PS256', 'RS256'],
        audience: `${base(req)}/oauth2/v2.0/token`,
        issuer: app.clientId,
        subject: app.clientId,
        // Entra accepts a few minutes of clock skew; MSAL stamps nbf with the current second.
        clockTolerance: 300,
      });
    } catch (err) {
      throw fail(err instanceof Error ? err.message : 'Invalid assertion.');
    }
  }

  async function appToken(app: AppRegistration, scope: string): Promise<SimResponse> {
    if (!scope.split(' ').some((s) => s.endsWith('/.default'))) {
      throw new AadError(
        400,
        'invalid_scope',
        1002012,
        `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.`,
      );
    }
    const lifetime = sim.settings.accessTokenLifetimeSeconds;
    const accessToken = await sim.signing.sign(
      {
        aud: GRAPH_RESOURCE,
        iss: `https://sts.windows.net/${sim.tenantId}/`,
        appid: app.clientId,
        azp: app.clientId,
        idtyp: 'app',
        oid: createHash('sha256').update(app.clientId).digest('hex').slice(0, 32),
        roles: app.roles,
        tid: sim.tenantId,
        ver: '1.0',
      },
      lifetime,
    );
    return json({
      token_type: 'Bearer',
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
    });
  }

  async function codeToken(
    req: SimRequest,
    app: AppRegistration,
    form: URLSearchParams,
  ): Promise<SimResponse> {
    const code = codes.get(form.get('code') ?? '');
    codes.delete(form.get('code') ?? '');
    if (
      !code ||
      code.expires < Date.now() ||
      code.clientId !== app.clientId ||
      code.redirectUri !== form.get('redirect_uri')
    ) {
      throw new AadError(
        400,
        'invalid_grant',
        70000,
        'The provided authorization code or refresh token has expired or is invalid.',
      );
    }
    const user = sim.tenant.users.getLive(code.userId);
    if (!user || !user.accountEnabled)
      throw new AadError(400, 'invalid_grant', 50057, 'The user account is disabled.');
    const lifetime = sim.settings.accessTokenLifetimeSeconds;
    const idToken = await sim.signing.sign(
      {
        iss: `${base(req)}/v2.0`,
        aud: app.clientId,
        tid: sim.tenantId,
        oid: user.id,
        sub: createHash('sha256').update(`${user.id}:${app.clientId}`).digest('base64url').slice(0, 43),
        preferred_username: user.userPrincipalName,
        name: user.displayName,
        ...(user.mail ? { email: user.mail } : {}),
        ...(code.nonce ? { nonce: code.nonce } : {}),
        ver: '2.0',
      },
      lifetime,
    );
    const accessToken = await sim.signing.sign(
      {
        aud: GRAPH_RESOURCE,
        tid: sim.tenantId,
        oid: user.id,
        appid: app.clientId,
        scp: 'openid profile email User.Read',
        ver: '1.0',
      },
      lifetime,
    );
    return json({
      token_type: 'Bearer',
      scope: code.scope,
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: accessToken,
      id_token: idToken,
    });
  }

  /** /authorize: signs in `login_hint` (or the posted username) at once; otherwise shows a minimal form. */
  function authorize(req: SimRequest): SimResponse {
    const params = req.method === 'POST' ? new URLSearchParams(req.rawBody) : req.query;
    const clientId = params.get('client_id') ?? '';
    const redirectUri = params.get('redirect_uri') ?? '';
    const app = sim.apps.get(clientId);
    if (!app)
      return { status: 400, text: `AADSTS700016: Application with identifier '${clientId}' was not found.` };
    if (app.redirectUris?.length && !app.redirectUris.includes(redirectUri)) {
      return {
        status: 400,
        text: 'AADSTS50011: The redirect URI specified in the request does not match the redirect URIs configured for the application.',
      };
    }
    const username = params.get('username') ?? params.get('login_hint');
    const user = username ? sim.tenant.userByUpn(username) : undefined;
    const redirect = new URL(redirectUri);
    const state = params.get('state');
    if (state !== null) redirect.searchParams.set('state', state);
    if (!user) {
      const hidden = [...params]
        .filter(([k]) => k !== 'username')
        .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`);
      const html = `<!doctype html><title>Sign in</title><form method="post">${hidden.join('')}<label>User principal name <input name="username"></label><button>Sign in</button>${username ? '<p>Unknown user.</p>' : ''}</form>`;
      return { status: 200, text: html, contentType: 'text/html; charset=utf-8' };
    }
    if (!user.accountEnabled) {
      redirect.searchParams.set('error', 'access_denied');
      redirect.searchParams.set('error_description', 'AADSTS50057: The user account is disabled.');
    } else {
      const code = randomBytes(32).toString('base64url');
      codes.set(code, {
        clientId,
        redirectUri,
        userId: user.id,
        nonce: params.get('nonce'),
        scope: params.get('scope') ?? 'openid',
        expires: Date.now() + CODE_TTL_MS,
      });
      redirect.searchParams.set('code', code);
    }
    return { status: 302, headers: { location: redirect.toString() } };
  }

  const guard =
    (fn: (req: SimRequest, params: Record<string, string>) => SimResponse | Promise<SimResponse>) =>
    async (req: SimRequest, params: Record<string, string>): Promise<SimResponse> => {
      try {
        checkTenant(params['tenant']);
        return await fn(req, params);
      } catch (err) {
        if (err instanceof AadError) return aadErrorResponse(err);
        throw err;
      }
    };

  return new Router<SimContext>()
    .add(
      'GET',
      '/{tenant}/v2.0/.well-known/openid-configuration',
      guard((req) => {
        const b = base(req);
        return json(
          {
            token_endpoint: `${b}/oauth2/v2.0/token`,
            token_endpoint_auth_methods_supported: [
              'client_secret_post',
              'private_key_jwt',
              'client_secret_basic',
            ],
            jwks_uri: `${b}/discovery/v2.0/keys`,
            response_modes_supported: ['query', 'fragment', 'form_post'],
            subject_types_supported: ['pairwise'],
            id_token_signing_alg_values_supported: ['RS256'],
            response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
            scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
            issuer: `${b}/v2.0`,
            request_uri_parameter_supported: false,
            userinfo_endpoint: `${req.origin}/oidc/userinfo`,
            authorization_endpoint: `${b}/oauth2/v2.0/authorize`,
            device_authorization_endpoint: `${b}/oauth2/v2.0/devicecode`,
            http_logout_supported: true,
            frontchannel_logout_supported: true,
            end_session_endpoint: `${b}/oauth2/v2.0/logout`,
            claims_supported: [
              'sub',
              'iss',
              'aud',
              'exp',
              'iat',
              'auth_time',
              'nonce',
              'preferred_username',
              'name',
              'tid',
              'ver',
              'email',
              'oid',
            ],
            tenant_region_scope: 'WW',
            cloud_instance_name: 'microsoftonline.com',
            msgraph_host: 'graph.microsoft.com',
          },
          200,
          { 'cache-control': 'max-age=86400, private' },
        );
      }),
    )
    .add(
      'GET',
      '/{tenant}/discovery/v2.0/keys',
      guard(() => json({ keys: [sim.signing.publicJwk] })),
    )
    .add('GET', '/{tenant}/oauth2/v2.0/authorize', guard(authorize))
    .add('POST', '/{tenant}/oauth2/v2.0/authorize', guard(authorize))
    .add(
      'POST',
      TOKEN_ROUTE,
      guard(async (req) => {
        const form = new URLSearchParams(req.rawBody);
        const app = await authenticateClient(req, form);
        const grant = form.get('grant_type');
        if (grant === 'client_credentials') return appToken(app, form.get('scope') ?? '');
        if (grant === 'authorization_code') return codeToken(req, app, form);
        throw new AadError(
          400,
          'unsupported_grant_type',
          70003,
          `The app requested an unsupported grant type '${grant ?? ''}'.`,
        );
      }),
    );
}
