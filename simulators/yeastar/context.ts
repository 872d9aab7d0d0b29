import { EventEmitter } from 'node:events';
import type { Body } from './fields.js';
import type { JournalStore } from './journal.js';
import type { PresenceWrites } from './presence-writes.js';
import type { SimSettings } from './settings.js';

/** A PBX event as pushed over WebSocket/webhook: `msg` is a JSON-encoded string. */
export interface PbxEvent {
  type: number;
  sn: string;
  msg: string;
}

export class EventBus extends EventEmitter<{ event: [PbxEvent] }> {
  constructor(private readonly serial: () => string) {
    super();
  }

  publish(type: number, msg: Record<string, unknown>): void {
    this.emit('event', { type, sn: this.serial(), msg: JSON.stringify(msg) });
  }
}

export interface SimContext {
  store: JournalStore;
  settings: SimSettings;
  events: EventBus;
  /** Consecutive failed get_token calls per source IP. */
  loginFailures: Map<string, number>;
  presenceWrites: PresenceWrites;
}

export interface ApiRequest {
  query: URLSearchParams;
  body: Body;
  ip: string;
}

export type Handler = (
  sim: SimContext,
  req: ApiRequest,
) => Record<string, unknown> | Promise<Record<string, unknown>>;

export const now = (): number => Date.now();
