import type { ApplicationFailure } from '@temporalio/common';
import { PbxFailure } from '../../../contracts/index.js';
import { pbxFailure } from '../pbx-failure.js';
import { failureFromReply, type FailureContext } from './yeastar-errcodes.js';
import { Limiter } from './request-limiter.js';
import type { ResolvedYeastarOptions } from './yeastar-options.js';
import { TokenManager } from './token-manager.js';
import { Transport, type Envelope } from './yeastar-transport.js';

/**
 * Authenticated Open API calls: token as query parameter, the client-side concurrency limit, one recovery
 * from 10004 (token expired server-side before our estimate), the caller's cancellation, and
 * errcode → ApplicationFailure.
 */
type Row = Record<string, unknown>;

/** Codes the PBX answers for an object that is not there (extension, phonebook, contact). */
export const NOT_FOUND_CODES = new Set([60001, 70093, 70128]);

export class YeastarClient {
  readonly tokens: TokenManager;
  private readonly transport: Transport;
  private readonly limiter: Limiter;

  constructor(readonly options: ResolvedYeastarOptions) {
    this.transport = new Transport(options);
    this.tokens = new TokenManager(this.transport, options);
    this.limiter = new Limiter(options.maxConcurrentRequests);
  }

  get(endpoint: string, query: Record<string, string | number>, object: string): Promise<Envelope> {
    return this.call('GET', endpoint, query, undefined, object);
  }

  post(endpoint: string, body: Record<string, unknown>, object: string): Promise<Envelope> {
    return this.call('POST', endpoint, {}, body, object);
  }

  /** Like get/post but resolves to the failure instead of throwing, for callers that inspect it. */
  async attempt(
    method: 'GET' | 'POST',
    endpoint: string,
    payload: Record<string, unknown>,
    object: string,
  ): Promise<{ ok: true; body: Envelope } | { ok: false; failure: ApplicationFailure; body?: Envelope }> {
    const [query, body] =
      method === 'GET' ? [payload as Record<string, string | number>, undefined] : [{}, payload];
    return this.limiter.run(async () => {
      for (let recovered = false; ; recovered = true) {
        const token = await this.tokens.token();
        const reply = await this.transport.send(
          method,
          endpoint,
          { ...query, access_token: token },
          body,
          this.options.signal?.(),
        );
        if (reply.kind === 'envelope' && reply.body.errcode === 0) return { ok: true, body: reply.body };
        if (reply.kind === 'envelope' && reply.body.errcode === 10004 && !recovered) {
          this.tokens.invalidate(token);
          continue;
        }
        const failure = failureFromReply(reply, { object, operation: endpoint });
        return { ok: false, failure, ...(reply.kind === 'envelope' ? { body: reply.body } : {}) };
      }
    });
  }

  private async call(
    method: 'GET' | 'POST',
    endpoint: string,
    query: Record<string, string | number>,
    body: Record<string, unknown> | undefined,
    object: string,
  ): Promise<Envelope> {
    const result = await this.attempt(method, endpoint, body ?? query, object);
    if (!result.ok) throw result.failure;
    return result.body;
  }

  /** Every row of a paged list or search, page after page, until `total_number` rows were read. */
  async *pages(
    endpoint: string,
    query: Record<string, string | number>,
    object: string,
  ): AsyncGenerator<Row> {
    let seen = 0;
    for (let page = 1; ; page++) {
      const body = await this.get(endpoint, { ...query, page, page_size: this.options.pageSize }, object);
      const read = { object, operation: endpoint, page };
      if (typeof body.total_number !== 'number') throw malformedReply(read, 'no numeric total_number');
      const data = rowsOf(body, read);
      yield* data;
      seen += data.length;
      if (data.length === 0 || seen >= body.total_number) return;
    }
  }

  /** The `data` rows of a multi-object read such as extension/query. */
  async rows(endpoint: string, query: Record<string, string | number>, object: string): Promise<Row[]> {
    return rowsOf(await this.get(endpoint, query, object), { object, operation: endpoint });
  }

  /** A GET delete (the Open API's verb for it) where an object already gone is success. */
  async deleteIgnoringMissing(endpoint: string, id: string, object: string): Promise<void> {
    const res = await this.attempt('GET', endpoint, { id }, object);
    if (!res.ok && !(res.body && NOT_FOUND_CODES.has(res.body.errcode))) throw res.failure;
  }

  close(): Promise<void> {
    return this.tokens.close();
  }
}

interface Read extends FailureContext {
  page?: number;
}

/**
 * A success reply without its rows is a failed read, not an empty one: taken as "no rows" it would make
 * extensions look deleted on the PBX. Only an empty list may leave `data` out.
 */
function rowsOf(body: Envelope, read: Read): Row[] {
  if (Array.isArray(body.data)) return body.data as Row[];
  if (body.total_number === 0) return [];
  throw malformedReply(read, 'no data array');
}

function malformedReply({ object, operation, page }: Read, missing: string): ApplicationFailure {
  const where = page === undefined ? operation : `${operation} page ${page}`;
  return pbxFailure(PbxFailure.Unavailable, `${object}: ${where} reply has ${missing}`, {
    object,
    operation,
  });
}
