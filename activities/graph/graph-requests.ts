import type { Client } from '@microsoft/microsoft-graph-client';
import { toApplicationFailure } from './graph-failures.js';
import type { DeltaPage, Page } from './graph-types.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** A Graph collection response: one page of `value`, and where the next page (or the delta) is. */
export interface Collection<T> {
  value?: T[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

export interface RequestSpec {
  url: string;
  /** The application permission the call needs, named in a 403 failure. */
  permission: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** Redacted from error messages besides the client secret (e.g. a clientState). */
  secrets?: string[];
}

export const PAGE_SIZE = 999;

/** An OData query string; values are encoded, absent ones left out. */
export function query(params: Record<string, string | undefined>): string {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${encodeURIComponent(v as string)}`)
    .join('&');
}

function operationName(method: string, url: string): string {
  const path = url.startsWith('https://') ? new URL(url).pathname : url.split('?')[0];
  return `${method} ${path}`;
}

export function withNext<T>(items: T[], res: Collection<unknown>): Page<T> {
  const next = res['@odata.nextLink'];
  return next ? { items, nextCursor: next } : { items };
}

export function withDeltaLinks<C>(changes: C[], res: Collection<unknown>): DeltaPage<C> {
  const next = res['@odata.nextLink'];
  const delta = res['@odata.deltaLink'];
  return { changes, ...(next ? { nextCursor: next } : {}), ...(delta ? { deltaLink: delta } : {}) };
}

/** The one paging idiom: every item of every page a page reader returns, page by page. */
export async function* pages<T>(read: (cursor?: string) => Promise<Page<T>>): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    yield page.items;
    cursor = page.nextCursor;
  } while (cursor);
}

export async function readAll<T>(read: (cursor?: string) => Promise<Page<T>>, onPage?: () => void) {
  const items: T[] = [];
  for await (const page of pages(read)) {
    items.push(...page);
    onPage?.();
  }
  return items;
}

/** Graph calls through one SDK client; every failure becomes a typed ApplicationFailure without secrets. */
export class GraphRequests {
  constructor(
    private readonly client: Client,
    private readonly secrets: readonly string[],
  ) {}

  async send<T>(method: Method, spec: RequestSpec): Promise<T> {
    try {
      let request = this.client.api(spec.url);
      for (const [name, value] of Object.entries(spec.headers ?? {})) request = request.header(name, value);
      const call =
        method === 'GET'
          ? request.get()
          : method === 'POST'
            ? request.post(spec.body)
            : method === 'PATCH'
              ? request.patch(spec.body)
              : request.delete();
      return (await call) as T;
    } catch (err) {
      throw toApplicationFailure(err, {
        operation: operationName(method, spec.url),
        permission: spec.permission,
        secrets: [...this.secrets, ...(spec.secrets ?? [])],
      });
    }
  }
}
