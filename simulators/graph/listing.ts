import type { Collection } from './collection.js';
import type { SimRequest, SimResponse } from './http.js';
import { GraphHttpError, json } from './http.js';
import { contextUrl, decodeToken, encodeToken, isAdvancedRequest, selfLink } from './odata.js';

interface PageOptions<T> {
  top: number;
  render: (item: T) => object;
  contextFragment: string;
  predicate?: (item: T) => boolean;
}

function skipState<S>(req: SimRequest): S | undefined {
  const raw = req.query.get('$skiptoken');
  if (raw === null) return undefined;
  const state = decodeToken<S>(raw);
  if (!state) throw new GraphHttpError(400, 'Request_BadRequest', 'Invalid $skiptoken.');
  return state;
}

function pageBody(
  req: SimRequest,
  fragment: string,
  value: object[],
  next: object | undefined,
  count?: number,
) {
  return {
    '@odata.context': contextUrl(req, fragment),
    // $count=true is silently ignored without ConsistencyLevel: eventual (reference §1); page 1 only.
    ...(count !== undefined && isAdvancedRequest(req) && !req.query.has('$skiptoken')
      ? { '@odata.count': count }
      : {}),
    ...(next ? { '@odata.nextLink': selfLink(req, { $skiptoken: encodeToken(next) }) } : {}),
    value,
  };
}

/** Pages live objects of a collection in creation order; the skiptoken carries the last ordinal served. */
export function collectionPage<T extends { id: string; deletedDateTime: string | null }>(
  req: SimRequest,
  collection: Collection<T>,
  opts: PageOptions<T>,
): SimResponse {
  const after = skipState<{ o: number }>(req)?.o ?? 0;
  const items = collection.live();
  const matches = opts.predicate ?? (() => true);
  const value: object[] = [];
  let last: T | undefined;
  let more = false;
  for (let i = collection.liveIndexAfter(after); i < items.length; i++) {
    const item = items[i] as T;
    if (!matches(item)) continue;
    if (value.length === opts.top) {
      more = true;
      break;
    }
    value.push(opts.render(item));
    last = item;
  }
  const next = more && last ? { o: collection.ordinalOf(last.id) } : undefined;
  const count = req.query.get('$count') === 'true' ? countOf(items, matches) : undefined;
  return json(pageBody(req, opts.contextFragment, value, next, count));
}

/** Pages a computed id list (members, transitive members); the skiptoken carries the offset. */
export function arrayPage<T>(req: SimRequest, items: readonly T[], opts: PageOptions<T>): SimResponse {
  const start = skipState<{ i: number }>(req)?.i ?? 0;
  const filtered = opts.predicate ? items.filter(opts.predicate) : items;
  const slice = filtered.slice(start, start + opts.top);
  const next = start + opts.top < filtered.length ? { i: start + opts.top } : undefined;
  return json(pageBody(req, opts.contextFragment, slice.map(opts.render), next, filtered.length));
}

function countOf<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  let n = 0;
  for (const item of items) if (predicate(item)) n++;
  return n;
}
