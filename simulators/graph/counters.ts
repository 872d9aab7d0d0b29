export interface RequestLogEntry {
  at: number;
  method: string;
  endpoint: string;
  path: string;
  status: number;
  clientId?: string;
}

export interface CounterSnapshot {
  total: number;
  byEndpoint: Record<string, number>;
  byStatus: Record<string, number>;
  /** Graph requests per app (client id). */
  byApp: Record<string, number>;
  /** Token-endpoint requests per client id, failed ones included. */
  tokenRequestsByApp: Record<string, number>;
  /** The most recent requests (bounded), oldest first. */
  recent: RequestLogEntry[];
}

const RECENT_LIMIT = 2000;

export class Counters {
  private total = 0;
  private byEndpoint = new Map<string, number>();
  private byStatus = new Map<string, number>();
  private byApp = new Map<string, number>();
  private tokenRequestsByApp = new Map<string, number>();
  private recent: RequestLogEntry[] = [];

  /** `tokenRequest`: the entry is a token-endpoint request and its `clientId` the client that asked. */
  record(entry: RequestLogEntry, tokenRequest = false): void {
    this.total++;
    bump(this.byEndpoint, entry.endpoint);
    bump(this.byStatus, String(entry.status));
    if (entry.clientId) bump(tokenRequest ? this.tokenRequestsByApp : this.byApp, entry.clientId);
    this.recent.push(entry);
    if (this.recent.length > RECENT_LIMIT) this.recent.splice(0, this.recent.length - RECENT_LIMIT);
  }

  snapshot(): CounterSnapshot {
    return {
      total: this.total,
      byEndpoint: Object.fromEntries(this.byEndpoint),
      byStatus: Object.fromEntries(this.byStatus),
      byApp: Object.fromEntries(this.byApp),
      tokenRequestsByApp: Object.fromEntries(this.tokenRequestsByApp),
      recent: [...this.recent],
    };
  }

  reset(): void {
    this.total = 0;
    this.byEndpoint = new Map();
    this.byStatus = new Map();
    this.byApp = new Map();
    this.tokenRequestsByApp = new Map();
    this.recent = [];
  }
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
