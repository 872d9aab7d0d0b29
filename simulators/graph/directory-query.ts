import { compileFilter } from './filter.js';
import { GraphHttpError, type SimRequest } from './http.js';
import { isAdvancedRequest, parseSelect, project } from './odata.js';

export interface DirectoryType {
  typeName: string;
  odataType: string;
  known: ReadonlySet<string>;
  filterable: ReadonlySet<string>;
  defaults: readonly string[];
}

/** `$filter` as a predicate, enforcing the advanced-query rules of reference §1. */
export function filterFor(req: SimRequest, type: DirectoryType): ((obj: object) => boolean) | undefined {
  const raw = req.query.get('$filter');
  if (raw === null) return undefined;
  const filter = compileFilter(raw, type.filterable, type.typeName.replace('microsoft.graph.', ''));
  if (filter.advanced && !isAdvancedRequest(req)) {
    throw new GraphHttpError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
  }
  return filter.test;
}

export function renderer(req: SimRequest, type: DirectoryType): (obj: object) => Record<string, unknown> {
  const select = parseSelect(req.query.get('$select'), type.known, type.typeName) ?? type.defaults;
  return (obj) => project(obj, select);
}

export function contextFragment(req: SimRequest, entitySet: string): string {
  const select = req.query.get('$select');
  return select ? `${entitySet}(${select})` : entitySet;
}
