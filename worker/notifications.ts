import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import {
  directoryWatcherWorkflowId,
  pokeDirectorySignal,
  subscriptionLifecycleSignal,
} from '../contracts/index.js';

export interface NotificationReceiverOptions {
  client: Client;
  tenantId: string;
  /** The secret given to Graph when subscribing; notifications carrying another one are dropped. */
  clientState: string;
  port?: number;
  /** Default 127.0.0.1: a TLS-terminating proxy on the host forwards to it. */
  host?: string;
}

export interface NotificationReceiver {
  url: string;
  /**
   * Notifications accepted (right clientState and tenant) and dropped; pokes and lifecycle signals the
   * directory watcher received (signals that failed, e.g. because no watcher runs, do not count).
   */
  stats: {
    accepted: number;
    rejected: number;
    pokes: number;
    lifecycleSignals: number;
    failedSignals: number;
  };
  close(): Promise<void>;
}

interface Notification {
  clientState?: string | null;
  tenantId?: string | null;
  lifecycleEvent?: string;
}

/** Graph batches notifications; 64 KB holds far more of them than a batch carries. */
const MAX_BODY_BYTES = 64 * 1024;
const MAX_VALIDATION_TOKEN = 1024;
const MAX_CONNECTIONS = 64;
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
/** The coalescing key of a poke (no lifecycle event is named so). */
const POKE = '';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Compares in constant time (hashes first, so the lengths do not leak either). */
function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Sends a signal at most once at a time per key: what arrives while one is in flight is folded into one more
 * send after it, so a burst of notifications (or 500 lifecycle events in one request) costs a signal or two.
 */
function coalesced(send: (key: string) => Promise<void>) {
  const state = new Map<string, 'in-flight' | 'again'>();
  const run = (key: string): void => {
    state.set(key, 'in-flight');
    void send(key).finally(() => {
      if (state.get(key) === 'again') run(key);
      else state.delete(key);
    });
  };
  return (key: string) => {
    if (state.has(key)) state.set(key, 'again');
    else run(key);
  };
}

/**
 * Receives Graph change notifications (and lifecycle notifications) for users and groups. It answers the
 * validation handshake, acknowledges with 202 at once, and only pokes the tenant's directory watcher: the
 * delta round is the source of truth, so a lost or forged notification costs latency, never data.
 * Put it behind a TLS-terminating proxy (Graph delivers to https URLs only).
 */
export async function startNotificationReceiver(
  options: NotificationReceiverOptions,
): Promise<NotificationReceiver> {
  const stats = { accepted: 0, rejected: 0, pokes: 0, lifecycleSignals: 0, failedSignals: 0 };
  const watcher = options.client.workflow.getHandle(directoryWatcherWorkflowId(options.tenantId));
  // No watcher runs, or Temporal is away: polling (or the watcher's next start) catches up.
  const logFailure = (what: string) => (error: unknown) => {
    stats.failedSignals++;
    Runtime.instance().logger.warn(`notification receiver: ${what} failed`, {
      tenantId: options.tenantId,
      error: error instanceof Error ? error.message : String(error),
    });
  };
  const signal = coalesced(async (event) => {
    if (event === POKE) {
      await watcher.signal(pokeDirectorySignal).then(() => stats.pokes++, logFailure('poking the watcher'));
    } else {
      await watcher
        .signal(subscriptionLifecycleSignal, { event })
        .then(() => stats.lifecycleSignals++, logFailure(`the lifecycle signal ${event}`));
    }
  });

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { Allow: 'POST' }).end();
      return;
    }
    const token = new URL(req.url ?? '/', 'http://receiver').searchParams.get('validationToken');
    if (token !== null) {
      if (token.length > MAX_VALIDATION_TOKEN) {
        res.writeHead(400).end();
        return;
      }
      res
        .writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' })
        .end(token);
      return;
    }
    const body = await readBody(req);
    res.writeHead(202).end();
    let items: Notification[] = [];
    try {
      items = ((JSON.parse(body) as { value?: Notification[] }).value ?? []).filter(Boolean);
    } catch {
      stats.rejected++;
      return;
    }
    const genuine = items.filter(
      (n) =>
        sameSecret(n.clientState, options.clientState) && (!n.tenantId || n.tenantId === options.tenantId),
    );
    stats.accepted += genuine.length;
    stats.rejected += items.length - genuine.length;
    // Changes and lifecycle events (missed, reauthorizationRequired, subscriptionRemoved) all mean: look now.
    // A lifecycle event also has the watcher renew (or recreate) its subscriptions, and runs a round.
    const lifecycle = new Set(genuine.flatMap((n) => (n.lifecycleEvent ? [n.lifecycleEvent] : [])));
    for (const event of lifecycle) signal(event);
    if (genuine.length > 0 && lifecycle.size === 0) signal(POKE);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(400).end();
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/notifications`,
    stats,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
