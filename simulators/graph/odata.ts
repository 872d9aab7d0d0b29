import { GraphHttpError, type SimRequest } from './http.js';

export const GRAPH_PREFIX = '/v1.0';

/** `$select` → property list; unknown properties are a 400 like Graph's. `null` = the default set. */
export function parseSelect(
  raw: string | null,
  known: ReadonlySet<string>,
  typeName: string,
): string[] | null {
  if (raw === null || raw.trim() === '') return null;
  const props = raw.split(',').map((p) => p.trim());
  for (const p of props) {
    if (!known.has(p)) {
      throw new GraphHttpError(
        400,
        'Request_BadRequest',
        `Could not find a property named '${p}' on type '${typeName}'.`,
      );
    }
  }
  return props.includes('id') ? props : ['id', ...props];
}

export function project(obj: object, select: readonly string[]): Record<string, unknown> {
  const source = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const p of select) out[p] = source[p] ?? null;
  return out;
}

export function parseTop(req: SimRequest, fallback: number, max = 999): number {
  const raw = req.query.get('$top');
  if (raw === null) return fallback;
  const top = Number(raw);
  if (!Number.isInteger(top) || top < 1 || top > max) {
    throw new GraphHttpError(
      400,
      'Request_BadRequest',
      `Invalid page size specified: '${raw}'. Must be between 1 and ${max} inclusive.`,
    );
  }
  return top;
}

export function isAdvancedRequest(req: SimRequest): boolean {
  return req.headers['consistencylevel']?.toLowerCase() === 'eventual' && req.query.get('$count') === 'true';
}

export function encodeToken(state: object): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

export function decodeToken<T>(token: string): T | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return value && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `$` literal in option names, as Graph's own links do. */
export function buildQuery(params: Iterable<[string, string]>): string {
  const parts: string[] = [];
  for (const [k, v] of params)
    parts.push(`${encodeURIComponent(k).replace(/^%24/, '$')}=${encodeURIComponent(v)}`);
  return parts.join('&');
}

/** Absolute link on the simulator's own host: the request's path and options with `set` applied. */
export function selfLink(req: SimRequest, set: Record<string, string>): string {
  const params = new Map<string, string>();
  for (const [k, v] of req.query) params.set(k, v);
  for (const [k, v] of Object.entries(set)) params.set(k, v);
  return `${req.origin}${GRAPH_PREFIX}${req.path}?${buildQuery(params)}`;
}

export function contextUrl(req: SimRequest, fragment: string): string {
  return `${req.origin}${GRAPH_PREFIX}/$metadata#${fragment}`;
}

export function notFound(id: string): GraphHttpError {
  return new GraphHttpError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
}
