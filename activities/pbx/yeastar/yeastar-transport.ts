import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';
import { got, RequestError, type Got } from 'got';
import type { ResolvedYeastarOptions } from './yeastar-options.js';

/**
 * One HTTP exchange with the Open API, no token logic. Every outcome becomes a `Reply`: the JSON envelope, a
 * non-JSON HTTP answer, or a network failure. The PBX closes each connection, so no keep-alive is assumed,
 * and got's own retries are off (the caller and Temporal own retries).
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
  | { kind: 'http'; status: number }
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
  ): Promise<Reply> {
    try {
      const res = await this.got(endpoint, {
        method,
        searchParams: query,
        ...(method === 'POST' ? { json: body ?? {} } : {}),
      });
      const parsed = parseEnvelope(res.body);
      return parsed
        ? { kind: 'envelope', status: res.statusCode, body: parsed }
        : { kind: 'http', status: res.statusCode };
    } catch (err) {
      if (err instanceof RequestError) return { kind: 'network', code: err.code };
      throw err;
    }
  }
}

function parseEnvelope(text: string): Envelope | undefined {
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && typeof (v as Envelope).errcode === 'number'
      ? (v as Envelope)
      : undefined;
  } catch {
    return undefined;
  }
}
