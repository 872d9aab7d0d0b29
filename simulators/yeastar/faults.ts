import type { SimSettings } from './settings.js';

/** Injected faults, the server-side concurrency queue, the rate limiter and request counters. */
export interface FaultSpec {
  /** Endpoint such as 'extension/create'; omitted = any Open API endpoint. */
  endpoint?: string;
  /**
   * errcode: answer with `errcode` (default -2) before doing anything;
   * body: answer with HTTP `httpStatus` (default 200) and a non-JSON `body` — see FaultBody;
   * http: shorthand for body 'Service Unavailable' with `httpStatus` default 503;
   * malformed-list: perform the request; a successful reply loses its `omit` key (default 'data');
   * drop-response: perform the request, then destroy the socket without answering (a lost response).
   */
  kind: 'errcode' | 'body' | 'http' | 'malformed-list' | 'drop-response';
  errcode?: number;
  httpStatus?: number;
  body?: FaultBody;
  /** Kind 'body': perform the request before answering (a gateway timing out after the PBX acted). */
  perform?: boolean;
  omit?: 'data' | 'total_number';
  /** How many matching requests the fault hits (default 1). */
  count?: number;
  /** Matching requests let through before the fault arms (default 0), e.g. 1 to break page 2 of a list. */
  skip?: number;
}

/**
 * 'html': a maintenance page as a proxy or the PBX web server shows it;
 * 'truncated-json': the real JSON reply cut in half (the request is performed unless `perform` is false);
 * any other string: sent verbatim as text/plain.
 */
export type FaultBody = 'html' | 'truncated-json' | (string & {});

type ArmedFault = FaultSpec & { remaining: number; skip: number };

export class Faults {
  readonly counters = new Map<string, number>();
  private injected: ArmedFault[] = [];
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private bucket = { tokens: 0, at: 0 };
  peakConcurrent = 0;

  constructor(private readonly settings: SimSettings) {}

  count(endpoint: string): void {
    this.counters.set(endpoint, (this.counters.get(endpoint) ?? 0) + 1);
  }

  inject(spec: FaultSpec): void {
    const preset: Partial<FaultSpec> =
      spec.kind === 'http'
        ? { kind: 'body', httpStatus: spec.httpStatus ?? 503, body: 'Service Unavailable' }
        : {};
    this.injected.push({ ...spec, ...preset, remaining: spec.count ?? 1, skip: spec.skip ?? 0 });
  }

  clear(): void {
    this.injected = [];
  }

  /** The fault hitting this request, if any. Every matching fault still skipping counts the request. */
  take(endpoint: string): FaultSpec | undefined {
    let hit: ArmedFault | undefined;
    for (const f of this.injected) {
      if (f.endpoint && f.endpoint !== endpoint) continue;
      if (f.skip > 0) f.skip--;
      else hit ??= f;
    }
    if (!hit) return undefined;
    hit.remaining--;
    this.injected = this.injected.filter((x) => x.remaining > 0);
    return hit;
  }

  /** Waits for a processing slot when `maxConcurrent` is set; returns the release function. */
  async acquire(): Promise<() => void> {
    const limit = this.settings.maxConcurrent;
    if (limit > 0 && this.active >= limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    this.peakConcurrent = Math.max(this.peakConcurrent, this.active);
    return () => {
      this.active--;
      this.waiting.shift()?.();
    };
  }

  /** True when the request is over the configured rate. */
  rateLimited(): boolean {
    const rl = this.settings.rateLimit;
    if (!rl) return false;
    const t = Date.now();
    const elapsed = (t - this.bucket.at) / 1000;
    this.bucket = { tokens: Math.min(rl.perSecond, this.bucket.tokens + elapsed * rl.perSecond), at: t };
    if (this.bucket.tokens < 1) return true;
    this.bucket.tokens--;
    return false;
  }
}
