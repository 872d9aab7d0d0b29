import { GraphHttpError } from './http.js';
import { RateWindows, tooManyRequests, type RateLimit } from './throttling.js';

export interface FaultRule {
  /** Substring of the endpoint key (`GET /users` also matches `GET /users/delta`); absent = every request. */
  match?: string;
  /** The whole endpoint key, e.g. `GET /users` for the user list only. */
  endpoint?: string;
  /** 401: a valid, unexpired token is rejected (InvalidAuthenticationToken), as Graph may do. */
  status: 401 | 429 | 500 | 502 | 503 | 504;
  /** Seconds, fractions allowed (Graph sends e.g. `2.128`). */
  retryAfterSeconds?: number;
  /** Let the first N matching requests through (e.g. 1 = fail from page 2 of a paged read). */
  skip?: number;
  /** How many matching requests fail after the skipped ones; absent = until faults are cleared. */
  times?: number;
  /** Only requests from this app. */
  clientId?: string;
}

export interface FaultConfig {
  rules?: FaultRule[];
  latencyMs?: number;
  /** Per-app request budgets (client id → budget); over budget → 429 with the window's remaining time. */
  budgets?: Record<string, RateLimit>;
  /** The next N delta-token requests get 410 Gone + Location (synchronization reset). */
  deltaResets?: number;
}

const ERRORS: Record<Exclude<FaultRule['status'], 429>, [string, string]> = {
  401: ['InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.'],
  500: ['InternalServerError', 'An internal server error occurred.'],
  502: ['BadGateway', 'Bad gateway.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable. Please retry later.'],
  504: ['GatewayTimeout', 'The gateway did not receive a response in time.'],
};

function faultError(rule: FaultRule): GraphHttpError {
  if (rule.status === 429) return tooManyRequests(rule.retryAfterSeconds);
  const [code, message] = ERRORS[rule.status] ?? ['UnknownError', 'Injected fault.'];
  const headers: Record<string, string> =
    rule.retryAfterSeconds === undefined ? {} : { 'retry-after': String(rule.retryAfterSeconds) };
  return new GraphHttpError(rule.status, code, message, headers);
}

function applies(rule: FaultRule, endpoint: string, clientId: string | undefined): boolean {
  return (
    (rule.match === undefined || endpoint.includes(rule.match)) &&
    (rule.endpoint === undefined || endpoint === rule.endpoint) &&
    (rule.clientId === undefined || rule.clientId === clientId) &&
    (rule.times === undefined || rule.times > 0)
  );
}

export class Faults {
  private config: FaultConfig = {};
  private readonly budgetWindows = new RateWindows();

  set(config: FaultConfig): void {
    this.config = { ...this.config, ...config };
    if (config.budgets) this.budgetWindows.clear();
  }

  clear(): void {
    this.config = {};
    this.budgetWindows.clear();
  }

  get latencyMs(): number {
    return this.config.latencyMs ?? 0;
  }

  /** The injected failure for this request, if any (consumes one skip or one use of a limited rule). */
  check(endpoint: string, clientId: string | undefined): GraphHttpError | undefined {
    const budget = clientId === undefined ? undefined : this.config.budgets?.[clientId];
    if (budget && clientId !== undefined) {
      const wait = this.budgetWindows.take(clientId, budget);
      if (wait !== undefined) return tooManyRequests(wait);
    }
    for (const rule of this.config.rules ?? []) {
      if (!applies(rule, endpoint, clientId)) continue;
      if (rule.skip) {
        rule.skip--;
        continue;
      }
      if (rule.times !== undefined) rule.times--;
      return faultError(rule);
    }
    return undefined;
  }

  takeDeltaReset(): boolean {
    if (!this.config.deltaResets) return false;
    this.config.deltaResets--;
    return true;
  }
}
