import type { ApplicationFailure } from '@temporalio/common';
import { failureFromReply } from './errors.js';
import { Limiter } from './limiter.js';
import type { ResolvedYeastarOptions } from './options.js';
import { TokenManager } from './token-manager.js';
import { Transport, type Envelope } from './transport.js';

/**
 * Authenticated Open API calls: token as query parameter, the client-side concurrency limit, one recovery
 * from 10004 (token expired server-side before our estimate), and errcode → ApplicationFailure.
 */
export class YeastarClient {
  readonly tokens: TokenManager;
  private readonly transport: Transport;
  private readonly limiter: Limiter;

  constructor(options: ResolvedYeastarOptions) {
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
        const reply = await this.transport.send(method, endpoint, { ...query, access_token: token }, body);
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

  close(): Promise<void> {
    return this.tokens.close();
  }
}
