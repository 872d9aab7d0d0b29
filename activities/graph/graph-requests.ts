import { AuthenticationHandlerOptions, type Client } from '@microsoft/microsoft-graph-client';
import { RequestTimeoutError, toApplicationFailure } from './graph-failures.js';
import type { AppToken, GraphTokens } from './graph-token.js';
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

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export interface RequestLimits {
  timeoutMs: number;
  /** The caller's cancellation, read at every call. */
  signal?: () => AbortSignal | undefined;
}

/** `work`, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Graph calls through one SDK client, each bounded by a timeout and the caller's cancellation; every other
 * failure becomes a typed ApplicationFailure without secrets.
 */
export class GraphRequests {
  constructor(
    private readonly client: Client,
    private readonly tokens: GraphTokens,
    private readonly secrets: readonly string[],
    private readonly limits: RequestLimits,
  ) {}

  async send<T>(method: Method, spec: RequestSpec): Promise<T> {
    const cancellation = this.limits.signal?.();
    const timeout = AbortSignal.timeout(this.limits.timeoutMs);
    const signal = cancellation ? AbortSignal.any([cancellation, timeout]) : timeout;
    try {
      return await untilAborted(this.sendRenewingToken<T>(method, spec, signal), signal);
    } catch (err) {
      // A cancelled activity must see its cancellation, not a retryable failure.
      if (cancellation?.aborted) throw cancellation.reason;
      throw toApplicationFailure(timeout.aborted ? new RequestTimeoutError(this.limits.timeoutMs) : err, {
        operation: operationName(method, spec.url),
        permission: spec.permission,
        secrets: [...this.secrets, ...(spec.secrets ?? [])],
      });
    }
  }

  /** Graph may refuse a token before it expires (revoked, clock skew, key rollover): one retry, new token. */
  private async sendRenewingToken<T>(method: Method, spec: RequestSpec, signal: AbortSignal): Promise<T> {
    const token = await this.tokens.token();
    try {
      return await this.call<T>(method, spec, token, signal);
    } catch (err) {
      if ((err as { statusCode?: number } | undefined)?.statusCode !== 401) throw err;
      return this.call<T>(method, spec, await this.tokens.renew(token), signal);
    }
  }

  private async call<T>(method: Method, spec: RequestSpec, token: AppToken, signal: AbortSignal): Promise<T> {
    signal.throwIfAborted();
    let request = this.client
      .api(spec.url)
      .option('signal', signal)
      .middlewareOptions([new AuthenticationHandlerOptions({ getAccessToken: async () => token.value })]);
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
  }
}
