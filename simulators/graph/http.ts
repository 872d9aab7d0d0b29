import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  rawBody: string;
  /** Public origin of the simulator, e.g. https://localhost:8443 — used for absolute links. */
  origin: string;
  requestId: string;
  clientRequestId: string;
}

export interface SimResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless `text` is given. */
  body?: unknown;
  text?: string;
  contentType?: string;
}

export const ODATA_JSON =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

/** A Graph error response `{"error":{code,message,innerError}}` (reference §7). */
export class GraphHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
    /** Extra `innerError` members, as some services add (e.g. throttling's code and status). */
    readonly innerError: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function graphErrorResponse(req: SimRequest, err: GraphHttpError): SimResponse {
  return {
    status: err.status,
    headers: err.headers,
    body: {
      error: {
        code: err.code,
        message: err.message,
        innerError: {
          ...err.innerError,
          date: new Date().toISOString().slice(0, 19),
          'request-id': req.requestId,
          'client-request-id': req.clientRequestId,
        },
      },
    },
  };
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): SimResponse {
  return { status, body, headers };
}

export function parseJsonBody(req: SimRequest): Record<string, unknown> {
  if (req.rawBody === '') return {};
  try {
    const value: unknown = JSON.parse(req.rawBody);
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through to the Graph error below
  }
  throw new GraphHttpError(400, 'BadRequest', 'Unable to read JSON request payload.');
}

export async function readRequest(msg: IncomingMessage, origin: string): Promise<SimRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of msg) chunks.push(chunk as Buffer);
  const url = new URL(msg.url ?? '/', origin);
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(msg.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: (msg.method ?? 'GET').toUpperCase(),
    path: decodeURIComponent(url.pathname),
    query: url.searchParams,
    headers,
    rawBody: Buffer.concat(chunks).toString('utf8'),
    origin,
    requestId: randomUUID(),
    clientRequestId: headers['client-request-id'] ?? randomUUID(),
  };
}

export function writeResponse(res: ServerResponse, req: SimRequest, out: SimResponse): void {
  const headers: Record<string, string> = {
    'request-id': req.requestId,
    'client-request-id': req.clientRequestId,
    ...out.headers,
  };
  if (out.status === 204 || (out.body === undefined && out.text === undefined)) {
    res.writeHead(out.status, headers).end();
    return;
  }
  const payload = out.text ?? JSON.stringify(out.body);
  headers['content-type'] =
    out.contentType ?? (out.text === undefined ? ODATA_JSON : 'text/plain; charset=utf-8');
  res.writeHead(out.status, headers).end(payload);
}

export interface Route<C> {
  method: string;
  /** e.g. `/users/{id}/contacts`; `{name}` matches one path segment. */
  pattern: string;
  handler: (req: SimRequest, params: Record<string, string>, ctx: C) => SimResponse | Promise<SimResponse>;
}

interface CompiledRoute<C> extends Route<C> {
  regex: RegExp;
  names: string[];
}

export interface RouteMatch<C> {
  route: Route<C>;
  params: Record<string, string>;
}

/** Minimal method + path-template router; the pattern doubles as the counter key. */
export class Router<C> {
  private readonly routes: CompiledRoute<C>[] = [];

  add(method: string, pattern: string, handler: Route<C>['handler']): this {
    const names: string[] = [];
    const source = pattern
      .split('/')
      .map((segment) =>
        segment.replace(/\{(\w+)\}|[.*+?^$()|[\]\\]/g, (m, name: string | undefined) => {
          if (name === undefined) return '\\' + m;
          names.push(name);
          return '([^/]+)';
        }),
      )
      .join('/');
    this.routes.push({ method, pattern, handler, regex: new RegExp(`^${source}/?$`, 'i'), names });
    return this;
  }

  match(method: string, path: string): RouteMatch<C> | 'method-not-allowed' | undefined {
    let pathMatched = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = m[i + 1] ?? ''));
      return { route, params };
    }
    return pathMatched ? 'method-not-allowed' : undefined;
  }
}
