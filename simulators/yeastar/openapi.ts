import type http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiError, envelope, invalidParams, mappedHttpStatus } from './envelope.js';
import type { SimContext } from './context.js';
import { performsRequest, toWire, type Reply } from './fault-replies.js';
import type { Faults, FaultSpec } from './faults.js';
import { ROUTES, SELF_AUTHENTICATING } from './routes.js';
import { assertNotBlocked, authenticate } from './tokens.js';

/** Serves `/openapi/v1.0/<endpoint>`: limits and faults, then the PBX proper. */
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

function errorReply(sim: SimContext, err: ApiError): Reply {
  const mapped = sim.settings.errorHttpStatus === 'mapped' ? mappedHttpStatus(err.errcode) : 200;
  return { status: err.httpStatus ?? mapped, payload: envelope(err.errcode, err.extra) };
}

/** The PBX proper: User-Agent, IP block, route, token, then the handler. */
async function perform(
  sim: SimContext,
  req: http.IncomingMessage,
  url: URL,
  endpoint: string,
  raw: string,
): Promise<Reply> {
  try {
    if (!req.headers['user-agent'] && sim.settings.missingUserAgentErrcode !== null) {
      throw new ApiError(sim.settings.missingUserAgentErrcode, { submsg: 'User-Agent header is required' });
    }
    const ip = clientIp(req);
    assertNotBlocked(sim, ip);
    const handler = ROUTES[`${req.method} ${endpoint}`];
    if (!handler) throw new ApiError(10001);
    if (!SELF_AUTHENTICATING.has(endpoint)) authenticate(sim, url.searchParams.get('access_token'));
    const body = req.method === 'POST' ? parseBody(raw) : {};
    return { status: 200, payload: envelope(0, await handler(sim, { query: url.searchParams, body, ip })) };
  } catch (err) {
    if (!(err instanceof ApiError)) console.error('yeastar simulator: handler crashed', err);
    return errorReply(sim, err instanceof ApiError ? err : new ApiError(-2));
  }
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
  let fault: FaultSpec | undefined;
  let reply: Reply | undefined;
  try {
    const raw = req.method === 'POST' ? await readBody(req) : '';
    if (sim.settings.latencyMs > 0) await sleep(sim.settings.latencyMs);
    const rl = sim.settings.rateLimit;
    if (rl && faults.rateLimited()) reply = errorReply(sim, new ApiError(rl.errcode, {}, rl.httpStatus));
    else {
      fault = faults.take(endpoint);
      if (fault?.kind === 'errcode') reply = errorReply(sim, new ApiError(fault.errcode ?? -2));
      else if (performsRequest(fault)) reply = await perform(sim, req, url, endpoint, raw);
    }
  } finally {
    release();
  }
  const wire = toWire(fault, reply);
  if (!wire) {
    req.socket.destroy();
    return;
  }
  const headers: http.OutgoingHttpHeaders = { 'content-type': wire.contentType };
  if (sim.settings.closeConnections || fault) headers.connection = 'close';
  res.writeHead(wire.status, headers);
  res.end(wire.text);
}
