import { createHmac, randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { PbxEvent, SimContext } from './context.js';
import { authenticate } from './tokens.js';

/**
 * Event push. WebSocket: `/openapi/v1.0/subscribe?access_token=`, client sends {"topic_list":[...]}, literal
 * `heartbeat` is answered with `heartbeat response`, idle sockets close after 60 s. Webhooks: ≤5 URLs (set in the
 * PBX UI, here via the control API), POST of the frame with X-Signature = Base64(HMAC-SHA256(body, secret)).
 */
export interface Webhook {
  url: string;
  secret: string;
  /** Event ids to push; empty = all. */
  events: number[];
}

const IDLE_MS = 60_000;
const MAX_WEBHOOKS = 5;
const MAX_DELIVERY_LOG = 100;

export class EventPush {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly topics = new Map<WebSocket, Set<number>>();
  readonly webhookDeliveries: Array<{ url: string; type: number; status: number | string }> = [];

  constructor(private readonly sim: SimContext) {
    sim.events.on('event', (e) => this.dispatch(e));
  }

  get webhooks(): Webhook[] {
    return this.sim.store.getMeta<Webhook[]>('webhooks') ?? [];
  }

  addWebhook(url: string, events: number[] = []): Webhook {
    if (this.webhooks.length >= MAX_WEBHOOKS) throw new Error(`at most ${MAX_WEBHOOKS} webhooks`);
    const hook = { url, events, secret: randomBytes(16).toString('hex') };
    this.sim.store.setMeta('webhooks', [...this.webhooks, hook]);
    return hook;
  }

  removeWebhooks(): void {
    this.sim.store.setMeta('webhooks', []);
  }

  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    try {
      authenticate(this.sim, url.searchParams.get('access_token'));
    } catch {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws));
  }

  private attach(ws: WebSocket): void {
    this.topics.set(ws, new Set());
    let idle = setTimeout(() => ws.close(), IDLE_MS);
    ws.on('message', (data) => {
      clearTimeout(idle);
      idle = setTimeout(() => ws.close(), IDLE_MS);
      const text = data.toString();
      if (text === 'heartbeat') return ws.send('heartbeat response');
      try {
        const { topic_list } = JSON.parse(text) as { topic_list?: unknown };
        if (!Array.isArray(topic_list) || topic_list.some((t) => !Number.isInteger(t))) throw new Error();
        this.topics.set(ws, new Set(topic_list as number[]));
        ws.send(JSON.stringify({ errcode: 0, errmsg: 'SUCCESS' }));
      } catch {
        ws.send(JSON.stringify({ errcode: 40001, errmsg: 'PARAMETER SYNTAX ERROR' }));
      }
    });
    ws.on('close', () => {
      clearTimeout(idle);
      this.topics.delete(ws);
    });
  }

  private dispatch(e: PbxEvent): void {
    const frame = JSON.stringify(e);
    for (const [ws, topics] of this.topics) if (topics.has(e.type)) ws.send(frame);
    for (const hook of this.webhooks.filter((h) => h.events.length === 0 || h.events.includes(e.type))) {
      const signature = createHmac('sha256', hook.secret).update(frame).digest('base64');
      const record = (status: number | string) => {
        this.webhookDeliveries.push({ url: hook.url, type: e.type, status });
        if (this.webhookDeliveries.length > MAX_DELIVERY_LOG) this.webhookDeliveries.shift();
      };
      fetch(hook.url, {
        method: 'POST',
        body: frame,
        headers: { 'content-type': 'application/json', 'x-signature': signature },
      })
        .then((r) => record(r.status))
        .catch((err: Error) => record(err.message));
    }
  }

  close(): void {
    for (const ws of this.topics.keys()) ws.terminate();
    this.wss.close();
  }
}
