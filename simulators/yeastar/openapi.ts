import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, envelope, invalidParams, mappedHttpStatus } from './envelope.js';
import type { SimContext } from './context.js';
import type { Faults } from './faults.js';
import { ROUTES, SELF_AUTHENTICATING } from './routes.js';
import { assertNotBlocked, authenticate } from './tokens.js';

/** Serves `/openapi/v1.0/<endpoint>`: faults, limits, User-Agent, IP block, token, then the handler. */
export const OPENAPI_PREFIX = '/openapi/v1.0/';

export function clientIp(req: http.IncomingMessage): string {
  return (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
}

export async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(raw: string): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidParams(40001, [{ field: 'body', value: 'not a JSON object' }]);
  }
  return body as Record<string, unknown>;
}

export async function serveOpenApi(
  sim: SimContext,
  faults: Faults,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  url: URL,
): Promise<void> {
  const endpoint = url.pathname.slice(OPENAPI_PREFIX.length);
  faults.count(endpoint);
  const release = await faults.acquire();
  let status = 200;
  let payload: Record<string, unknown>;
  let drop = false;
  try {
    const raw = req.method === 'POST' ? await readBody(req) : '';
    if (sim.settings.latencyMs > 0) await sleep(sim.settings.latencyMs);
    const rl = sim.settings.rateLimit;
    if (rl && faults.rateLimited()) throw new ApiError(rl.errcode, {}, rl.httpStatus);
    const fault = faults.take(endpoint);
    if (fault?.kind === 'http') {
      res.writeHead(fault.httpStatus ?? 503, { 'content-type': 'text/plain', connection: 'close' });
      res.end('Service Unavailable');
      return;
    }
    if (fault?.kind === 'errcode') throw new ApiError(fault.errcode ?? -2);
    drop = fault?.kind === 'drop-response';
    if (!req.headers['user-agent'] && sim.settings.missingUserAgentErrcode !== null) {
      throw new ApiError(sim.settings.missingUserAgentErrcode, { submsg: 'User-Agent header is required' });
    }
    const ip = clientIp(req);
    assertNotBlocked(sim, ip);
    const handler = ROUTES[`${req.method} ${endpoint}`];
    if (!handler) throw new ApiError(10001);
    if (!SELF_AUTHENTICATING.has(endpoint)) authenticate(sim, url.searchParams.get('access_token'));
    const body = req.method === 'POST' ? parseBody(raw) : {};
    payload = envelope(0, await handler(sim, { query: url.searchParams, body, ip }));
  } catch (err) {
    if (!(err instanceof ApiError)) console.error('yeastar simulator: handler crashed', err);
    const apiErr = err instanceof ApiError ? err : new ApiError(-2);
    payload = envelope(apiErr.errcode, apiErr.extra);
    status =
      apiErr.httpStatus ??
      (sim.settings.errorHttpStatus === 'mapped' ? mappedHttpStatus(apiErr.errcode) : 200);
  } finally {
    release();
  }
  if (drop) {
    req.socket.destroy();
    return;
  }
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json' };
  if (sim.settings.closeConnections) headers.connection = 'close';
  res.writeHead(status, headers);
  res.end(JSON.stringify(payload));
}
