import type { SimSettings } from './settings.js';

/** Injected faults, the server-side concurrency queue, the rate limiter and request counters. */
export interface FaultSpec {
  /** Endpoint such as 'extension/create'; omitted = any Open API endpoint. */
  endpoint?: string;
  /**
   * errcode: answer with `errcode` (default -2) before doing anything;
   * http: answer with HTTP `httpStatus` (default 503) and a non-JSON body;
   * drop-response: perform the request, then destroy the socket without answering (a lost response).
   */
  kind: 'errcode' | 'http' | 'drop-response';
  errcode?: number;
  httpStatus?: number;
  /** How many matching requests the fault hits (default 1). */
  count?: number;
}

export class Faults {
  readonly counters = new Map<string, number>();
  private injected: Array<FaultSpec & { remaining: number }> = [];
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private bucket = { tokens: 0, at: 0 };
  peakConcurrent = 0;

  constructor(private readonly settings: SimSettings) {}

  count(endpoint: string): void {
    this.counters.set(endpoint, (this.counters.get(endpoint) ?? 0) + 1);
  }

  inject(spec: FaultSpec): void {
    this.injected.push({ ...spec, remaining: spec.count ?? 1 });
  }

  clear(): void {
    this.injected = [];
  }

  take(endpoint: string): FaultSpec | undefined {
    const f = this.injected.find((x) => x.remaining > 0 && (!x.endpoint || x.endpoint === endpoint));
    if (!f) return undefined;
    f.remaining--;
    this.injected = this.injected.filter((x) => x.remaining > 0);
    return f;
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
