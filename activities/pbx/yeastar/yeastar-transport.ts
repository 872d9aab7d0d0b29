import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { got, RequestError, type Got } from 'got';
import type { ResolvedYeastarOptions } from './yeastar-options.js';

/**
 * One HTTP exchange with the Open API, no token logic. Every outcome becomes a `Reply`: the JSON envelope, any
 * other HTTP answer (a proxy's or maintenance page, a cut-off body), or a network failure. The PBX closes each
 * connection, so no keep-alive is assumed, and got's own retries are off (the caller and Temporal own retries).
 * Only an aborted request throws: with the signal's reason (a Temporal CancelledFailure in an activity), since
 * the PBX may or may not have acted on it and a cancelled caller must not read that as a failed request.
 */
export interface Envelope {
  errcode: number;
  errmsg?: string;
  submsg?: string;
  invalid_param_list?: Array<{ field?: string; value?: unknown; validation_type?: string }>;
  duplicate_field_list?: Array<{
    field?: string;
    value?: string;
    external_source?: string;
    external_source_name?: string;
  }>;
  [key: string]: unknown;
}

export type Reply =
  | { kind: 'envelope'; status: number; body: Envelope }
  /** `content` says what came back instead, e.g. `a non-JSON body (text/html)`. */
  | { kind: 'http'; status: number; content: string }
  | { kind: 'network'; code: string };

export class Transport {
  private readonly got: Got;

  constructor(options: ResolvedYeastarOptions) {
    const ca = options.caFile ? fs.readFileSync(options.caFile, 'utf8') : undefined;
    this.got = got.extend({
      prefixUrl: `${options.baseUrl.replace(/\/$/, '')}/openapi/v1.0/`,
      headers: { 'user-agent': options.userAgent },
      timeout: { request: options.requestTimeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
      agent: { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false }) },
      ...(ca ? { https: { certificateAuthority: [...rootCertificates, ca] } } : {}),
    });
  }

  async send(
    method: 'GET' | 'POST',
    endpoint: string,
    query: Record<string, string | number>,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<Reply> {
    try {
      const res = await this.got(endpoint, {
        method,
        searchParams: query,
        ...(method === 'POST' ? { json: body ?? {} } : {}),
        ...(signal ? { signal } : {}),
      });
      const json = parseJson(res.body);
      if (isEnvelope(json)) return { kind: 'envelope', status: res.statusCode, body: json };
      const what = json === undefined ? 'a non-JSON body' : 'a JSON body without errcode';
      const type = res.headers['content-type']?.split(';')[0]?.trim() || 'no content type';
      return { kind: 'http', status: res.statusCode, content: `${what} (${type})` };
    } catch (err) {
      if (signal?.aborted) throw signal.reason ?? err;
      if (err instanceof RequestError) return { kind: 'network', code: err.code };
      throw err;
    }
  }
}

/** The parsed body, or undefined when it is not JSON (an HTML page, a body cut off in transit). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isEnvelope(v: unknown): v is Envelope {
  return typeof v === 'object' && v !== null && typeof (v as Envelope).errcode === 'number';
}
