import { GraphHttpError } from './http.js';

export interface RateLimit {
  requests: number;
  perSeconds: number;
}

/** The documented 429 (reference §7): `Retry-After` in seconds (fractions allowed) and the throttling body. */
export function tooManyRequests(retryAfterSeconds: number | undefined): GraphHttpError {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  return new GraphHttpError(429, 'TooManyRequests', 'Please retry again later.', headers, {
    code: '429',
    message: 'Please retry after',
    status: '429',
  });
}

/** Fixed windows per key (an app): counts requests, throttled ones included as Graph counts them. */
export class RateWindows {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** Counts one request; over the limit → seconds until the window ends (ms precision), else undefined. */
  take(key: string, limit: RateLimit, now = Date.now()): number | undefined {
    const windowMs = limit.perSeconds * 1000;
    let w = this.windows.get(key);
    if (!w || now - w.start >= windowMs) this.windows.set(key, (w = { start: now, count: 0 }));
    if (++w.count <= limit.requests) return undefined;
    return Math.max(1, w.start + windowMs - now) / 1000;
  }

  clear(): void {
    this.windows.clear();
  }
}
