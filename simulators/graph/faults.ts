import { GraphHttpError } from './http.js';

export interface FaultRule {
  /** Substring of the endpoint key (e.g. `GET /users`, `/users/delta`); absent = every Graph request. */
  match?: string;
  status: 429 | 500 | 502 | 503 | 504;
  /** Seconds, fractions allowed (Graph sends e.g. `2.128`). */
  retryAfterSeconds?: number;
  /** How many matching requests fail; absent = until faults are cleared. */
  times?: number;
  /** Only requests from this app. */
  clientId?: string;
}

export interface RequestBudget {
  requests: number;
  perSeconds: number;
}

export interface FaultConfig {
  rules?: FaultRule[];
  latencyMs?: number;
  /** Per-app request budgets (client id → budget); over budget → 429 with the window's remaining time. */
  budgets?: Record<string, RequestBudget>;
  /** The next N delta-token requests get 410 Gone + Location (synchronization reset). */
  deltaResets?: number;
}

const STATUS_CODES: Record<number, [string, string]> = {
  429: ['TooManyRequests', 'Please retry again later.'],
  500: ['InternalServerError', 'An internal server error occurred.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.'],
  504: ['GatewayTimeout', 'The gateway did not receive a response in time.'],
};

function faultError(status: number, retryAfterSeconds: number | undefined): GraphHttpError {
  const [code, message] = STATUS_CODES[status] ?? ['UnknownError', 'Injected fault.'];
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  return new GraphHttpError(status, code, message, headers);
}

export class Faults {
  private config: FaultConfig = {};
  private readonly windows = new Map<string, { start: number; count: number }>();

  set(config: FaultConfig): void {
    this.config = { ...this.config, ...config };
    if (config.budgets) this.windows.clear();
  }

  clear(): void {
    this.config = {};
    this.windows.clear();
  }

  get latencyMs(): number {
    return this.config.latencyMs ?? 0;
  }

  /** The injected failure for this request, if any (consumes one use of a limited rule). */
  check(endpoint: string, clientId: string | undefined): GraphHttpError | undefined {
    const budget = clientId === undefined ? undefined : this.config.budgets?.[clientId];
    if (budget && clientId !== undefined) {
      const now = Date.now();
      const windowMs = budget.perSeconds * 1000;
      let w = this.windows.get(clientId);
      if (!w || now - w.start >= windowMs) this.windows.set(clientId, (w = { start: now, count: 0 }));
      if (++w.count > budget.requests)
        return faultError(429, Math.max(0.001, (w.start + windowMs - now) / 1000));
    }
    const rules = this.config.rules ?? [];
    const index = rules.findIndex(
      (r) =>
        (r.match === undefined || endpoint.includes(r.match)) &&
        (r.clientId === undefined || r.clientId === clientId) &&
        (r.times === undefined || r.times > 0),
    );
    const rule = rules[index];
    if (!rule) return undefined;
    if (rule.times !== undefined) rule.times--;
    return faultError(rule.status, rule.retryAfterSeconds);
  }

  takeDeltaReset(): boolean {
    if (!this.config.deltaResets) return false;
    this.config.deltaResets--;
    return true;
  }
}
