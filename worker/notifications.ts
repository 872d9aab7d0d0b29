import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
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
  host?: string;
}

export interface NotificationReceiver {
  url: string;
  /** Notifications accepted (right clientState) and dropped (wrong one) so far. */
  stats: { accepted: number; rejected: number; pokes: number };
  close(): Promise<void>;
}

interface Notification {
  clientState?: string | null;
  lifecycleEvent?: string;
}

const MAX_BODY = 1_000_000;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy(new Error('body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
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
  const stats = { accepted: 0, rejected: 0, pokes: 0 };
  const watcher = options.client.workflow.getHandle(directoryWatcherWorkflowId(options.tenantId));
  let pokeInFlight = false;
  const poke = () => {
    if (pokeInFlight) return; // one signal at a time: a burst of notifications needs one round
    pokeInFlight = true;
    stats.pokes++;
    watcher
      .signal(pokeDirectorySignal)
      .catch(() => undefined) // the watcher is not running: polling (or its next start) catches up
      .finally(() => {
        pokeInFlight = false;
      });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://receiver');
    const token = url.searchParams.get('validationToken');
    if (token !== null) {
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(token);
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405).end();
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
    const genuine = items.filter((n) => n.clientState === options.clientState);
    stats.accepted += genuine.length;
    stats.rejected += items.length - genuine.length;
    // Changes and lifecycle events (missed, reauthorizationRequired, subscriptionRemoved) all mean: look now.
    // A lifecycle event also has the watcher renew (or recreate) its subscriptions.
    const lifecycle = new Set(
      genuine.map((n) => n.lifecycleEvent).filter((e): e is string => typeof e === 'string'),
    );
    for (const event of lifecycle)
      void watcher.signal(subscriptionLifecycleSignal, { event }).catch(() => undefined);
    if (genuine.length > 0 && lifecycle.size === 0) poke();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(400).end();
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/notifications`,
    stats,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
