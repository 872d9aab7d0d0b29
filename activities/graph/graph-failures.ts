import { ApplicationFailure } from '@temporalio/common';
import { GraphFailure } from '../../contracts/index.js';

export interface GraphFailureDetails {
  status: number;
  code: string;
  requestId?: string;
  retryAfterMs?: number;
  /** 410 synchronization reset: where to restart. */
  location?: string;
}

interface GraphErrorLike {
  statusCode?: number;
  code?: string | null;
  message?: string;
  requestId?: string | null;
  headers?: Headers;
  name?: string;
}

/** Entra rejected the app's own credentials; they are not tried again before `nextAttemptAt`. */
export class CredentialsRejectedError extends Error {
  override name = 'CredentialsRejected';

  constructor(reason: string, nextAttemptAt: Date) {
    super(
      `Entra rejected the app's credentials (${reason}); fix ENTRA_CLIENT_SECRET/ENTRA_CLIENT_CERTIFICATE_PATH and restart, or wait for the next attempt at ${nextAttemptAt.toISOString()}`,
    );
  }
}

/** A Graph call that did not finish within the adapter's request timeout. */
export class RequestTimeoutError extends Error {
  override name = 'RequestTimeout';

  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

const DELTA_EXPIRED_CODES = new Set(['syncstatenotfound', 'resyncrequired', 'syncstateinvalid']);

/** Retry-After as seconds (fractions allowed) or an HTTP date, in ms. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Strips anything that looks like a bearer token or JWT, and the configured secret. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text
    .replace(/Bearer\s+[\w.~+/=-]+/gi, 'Bearer [redacted]')
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted-jwt]');
  for (const secret of secrets) if (secret) out = out.split(secret).join('[redacted]');
  return out;
}

export interface ErrorContext {
  /** What was being done, e.g. "GET /users". */
  operation: string;
  /** Application permission the call needs, named in 403 failures. */
  permission: string;
  secrets?: readonly string[];
}

/** Maps a Graph SDK / credential error to a Temporal ApplicationFailure (see GraphFailure). */
export function toApplicationFailure(err: unknown, ctx: ErrorContext): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const e = (err ?? {}) as GraphErrorLike;
  const status = typeof e.statusCode === 'number' ? e.statusCode : -1;
  const code = e.code ?? e.name ?? 'Error';
  const graphMessage = redact(e.message ?? String(err), ctx.secrets);
  const retryAfterMs = parseRetryAfter(e.headers?.get?.('retry-after'));
  const location = e.headers?.get?.('location') ?? undefined;
  const details: GraphFailureDetails = {
    status,
    code,
    ...(e.requestId ? { requestId: e.requestId } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(location ? { location } : {}),
  };
  const fail = (type: GraphFailure, message: string, nonRetryable: boolean) =>
    ApplicationFailure.create({
      type,
      message: `${ctx.operation}: ${message}`,
      nonRetryable,
      details: [details],
      ...(!nonRetryable && retryAfterMs !== undefined ? { nextRetryDelay: retryAfterMs } : {}),
    });

  if (err instanceof CredentialsRejectedError)
    return fail(GraphFailure.AuthenticationFailed, graphMessage, true);
  if (err instanceof RequestTimeoutError) return fail(GraphFailure.Unavailable, graphMessage, false);
  if (status === 410 || DELTA_EXPIRED_CODES.has(code.toLowerCase())) {
    return fail(
      GraphFailure.DeltaTokenExpired,
      `delta token expired or reset (${code}); a full resync is required`,
      true,
    );
  }
  if (status === 429) return fail(GraphFailure.Throttled, `throttled by Graph (${graphMessage})`, false);
  if (status >= 500 || status === 408)
    return fail(GraphFailure.Unavailable, `Graph unavailable: ${status} ${code}: ${graphMessage}`, false);
  if (status === 403) {
    return fail(
      GraphFailure.PermissionDenied,
      `permission denied (${code}): the app registration needs the application permission ${ctx.permission} with admin consent. Graph said: ${graphMessage}`,
      true,
    );
  }
  if (status === 400) return fail(GraphFailure.BadRequest, `bad request (${code}): ${graphMessage}`, true);
  if (status === 404) return fail(GraphFailure.NotFound, `not found (${code}): ${graphMessage}`, true);
  if (status === 401) {
    return fail(
      GraphFailure.AuthenticationFailed,
      `Graph refused the access token, a newly issued one too (${code}): ${graphMessage}`,
      true,
    );
  }
  if (
    /invalid_client|unauthorized_client|AADSTS\d+|AuthenticationRequired/i.test(`${code} ${graphMessage}`)
  ) {
    return fail(GraphFailure.AuthenticationFailed, `authentication failed: ${graphMessage}`, true);
  }
  return fail(GraphFailure.Unavailable, `request failed: ${code}: ${graphMessage}`, false);
}
