import type { Caller, RequestCtx, SimContext } from './context.js';
import { registerContacts } from './contacts.js';
import { registerDelta } from './delta.js';
import { registerGroups } from './groups.js';
import {
  GraphHttpError,
  graphErrorResponse,
  json,
  parseJsonBody,
  Router,
  type SimRequest,
  type SimResponse,
} from './http.js';
import { registerPresence } from './presence.js';
import type { Subscriptions } from './subscriptions.js';
import { TenantError } from './tenant.js';
import { registerUsers } from './users.js';

const MAX_BATCH = 20;
const GRAPH_AUDIENCES = ['https://graph.microsoft.com', '00000003-0000-0000-c000-000000000000'];

function subscriptionRoutes(router: Router<RequestCtx>): void {
  router
    .add('POST', '/subscriptions', async (req, _p, ctx) =>
      json(await ctx.subscriptions.create(parseJsonBody(req), ctx.caller), 201),
    )
    .add('GET', '/subscriptions', (_req, _p, ctx) =>
      json({ value: ctx.subscriptions.list(ctx.caller.clientId) }),
    )
    .add('GET', '/subscriptions/{id}', (_req, { id = '' }, ctx) =>
      json(ctx.subscriptions.get(id, ctx.caller.clientId)),
    )
    .add('PATCH', '/subscriptions/{id}', (req, { id = '' }, ctx) =>
      json(ctx.subscriptions.renew(id, ctx.caller.clientId, parseJsonBody(req))),
    )
    .add('DELETE', '/subscriptions/{id}', (_req, { id = '' }, ctx) => {
      ctx.subscriptions.delete(id, ctx.caller.clientId);
      return { status: 204 };
    });
}

export interface GraphApi {
  /** Serves one Graph request whose path has the `/v1.0` prefix removed. */
  handle(req: SimRequest): Promise<SimResponse>;
}

export function createGraphApi(sim: SimContext, subscriptions: Subscriptions): GraphApi {
  const router = new Router<RequestCtx>();
  registerDelta(router); // before /users/{id} and /groups/{id}
  registerUsers(router);
  registerGroups(router);
  registerContacts(router);
  registerPresence(router);
  subscriptionRoutes(router);
  router.add('POST', '/$batch', (req, _p, ctx) => batch(req, ctx));

  const verified = new Map<string, { caller: Caller; exp: number }>();

  async function authenticate(req: SimRequest): Promise<Caller> {
    const header = req.headers['authorization'] ?? '';
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (!token) throw new GraphHttpError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const cached = verified.get(token);
    if (cached && cached.exp * 1000 > Date.now()) return cached.caller;
    let claims;
    try {
      claims = await sim.signing.verify(token);
    } catch (err) {
      const expired = (err as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw new GraphHttpError(
        401,
        'InvalidAuthenticationToken',
        expired ? 'Lifetime validation failed, the token is expired.' : 'Access token validation failure.',
      );
    }
    if (!GRAPH_AUDIENCES.includes(String(claims.aud)) || claims['tid'] !== sim.tenantId) {
      throw new GraphHttpError(
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience.',
      );
    }
    const roles = Array.isArray(claims['roles']) ? (claims['roles'] as string[]) : [];
    const caller: Caller = { clientId: String(claims['appid'] ?? ''), roles, token };
    if (verified.size > 1000) verified.clear();
    verified.set(token, { caller, exp: claims.exp ?? 0 });
    return caller;
  }

  async function handle(req: SimRequest): Promise<SimResponse> {
    const started = Date.now();
    const match = router.match(req.method, req.path);
    const endpoint = `${req.method} ${match && match !== 'method-not-allowed' ? match.route.pattern : '(unmatched)'}`;
    let clientId: string | undefined;
    try {
      if (sim.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, sim.faults.latencyMs));
      if (!match) {
        throw new GraphHttpError(
          400,
          'BadRequest',
          `Resource not found for the segment '${req.path.split('/')[1] ?? ''}'.`,
        );
      }
      if (match === 'method-not-allowed') {
        throw new GraphHttpError(
          405,
          'Request_BadRequest',
          'Specified HTTP method is not allowed for the request target.',
        );
      }
      const caller = await authenticate(req);
      clientId = caller.clientId;
      const fault = sim.faults.check(endpoint, clientId);
      if (fault) throw fault;
      return record(await match.route.handler(req, match.params, { sim, subscriptions, caller }));
    } catch (err) {
      return record(graphErrorResponse(req, toGraphError(err)));
    }

    function record(response: SimResponse): SimResponse {
      const entry = { at: started, method: req.method, endpoint, path: req.path, status: response.status };
      sim.counters.record(clientId === undefined ? entry : { ...entry, clientId });
      return response;
    }
  }

  /** JSON batching (reference §7): ≤20 requests, each through the full pipeline; failed dependencies → 424. */
  async function batch(req: SimRequest, ctx: RequestCtx): Promise<SimResponse> {
    const requests = parseJsonBody(req)['requests'];
    if (!Array.isArray(requests) || requests.length === 0) {
      throw new GraphHttpError(400, 'BadRequest', 'Invalid batch payload format.');
    }
    if (requests.length > MAX_BATCH) {
      throw new GraphHttpError(
        400,
        'BadRequest',
        `Number of batch request steps exceeds the maximum of ${MAX_BATCH}.`,
      );
    }
    const statuses = new Map<string, number>();
    const responses: object[] = [];
    for (const raw of requests as Record<string, unknown>[]) {
      const id = String(raw['id'] ?? '');
      const dependsOn = Array.isArray(raw['dependsOn']) ? (raw['dependsOn'] as string[]) : [];
      if (dependsOn.some((d) => (statuses.get(d) ?? 424) >= 400)) {
        statuses.set(id, 424);
        responses.push({
          id,
          status: 424,
          body: { error: { code: 'FailedDependency', message: 'Failed dependency.' } },
        });
        continue;
      }
      const url = new URL(String(raw['url'] ?? '').replace(/^\/?(v1\.0\/)?/, '/'), req.origin);
      const headers: Record<string, string | undefined> = { authorization: `Bearer ${ctx.caller.token}` };
      for (const [k, v] of Object.entries((raw['headers'] as Record<string, string> | undefined) ?? {})) {
        headers[k.toLowerCase()] = v;
      }
      const inner: SimRequest = {
        ...req,
        method: String(raw['method'] ?? 'GET').toUpperCase(),
        path: decodeURIComponent(url.pathname),
        query: url.searchParams,
        headers,
        rawBody: raw['body'] === undefined ? '' : JSON.stringify(raw['body']),
      };
      const response = await handle(inner);
      statuses.set(id, response.status);
      responses.push({
        id,
        status: response.status,
        headers: {
          'content-type': response.text === undefined ? 'application/json' : 'text/plain',
          ...response.headers,
        },
        body: response.text ?? response.body,
      });
    }
    return json({ responses });
  }

  return { handle };
}

function toGraphError(err: unknown): GraphHttpError {
  if (err instanceof GraphHttpError) return err;
  if (err instanceof TenantError) {
    return new GraphHttpError(
      err.status,
      err.status === 404 ? 'Request_ResourceNotFound' : 'Request_BadRequest',
      err.message,
    );
  }
  return new GraphHttpError(500, 'InternalServerError', err instanceof Error ? err.message : String(err));
}
