import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeviceAccess } from './access.js';
import { EventBus, type SimContext } from './context.js';
import { callControl, createControl, type YeastarControl } from './control.js';
import { EventPush } from './events.js';
import { Faults } from './faults.js';
import { JournalStore } from './journal.js';
import { OPENAPI_PREFIX, readBody, serveOpenApi } from './openapi.js';
import { ensureRoot } from './organizations.js';
import { DEFAULT_SETTINGS, type YeastarSimulatorOptions } from './settings.js';
import { LinkusSso } from './sso.js';
import { renderStatusPage } from './status-page.js';

export type { YeastarControl, SimState, ExtensionView } from './control.js';
export type { FaultSpec, FaultBody } from './faults.js';
export type { AccessAttempt, AccessKind, AccessRefusal, AccessResult } from './access.js';
export type { PresenceWriteStats } from './presence-writes.js';
export type { SimSettings, TunableSettings, YeastarSimulatorOptions, RateLimit } from './settings.js';
export type { SsoSettings, SsoLoginResult } from './sso.js';
export type { Webhook } from './events.js';

export interface YeastarSimulator {
  url: string;
  clientId: string;
  /** The current secret: follows control.rotateClientSecret(). */
  readonly clientSecret: string;
  control: YeastarControl;
  stop(): Promise<void>;
}

export const DEFAULT_DATA_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../.data/yeastar-sim',
);

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function startYeastarSimulator(
  options: YeastarSimulatorOptions = {},
): Promise<YeastarSimulator> {
  const { port = 0, dataDir = DEFAULT_DATA_DIR, ...overrides } = options;
  const settings = { ...DEFAULT_SETTINGS, ...overrides };
  const store = new JournalStore(dataDir, { fsync: settings.fsync, snapshotEvery: settings.snapshotEvery });
  const sim: SimContext = {
    store,
    settings,
    events: new EventBus(() => settings.serialNumber),
    loginFailures: new Map(),
    presenceWrites: new Map(),
  };
  ensureRoot(sim);
  let url = '';
  const faults = new Faults(settings);
  const sso = new LinkusSso(sim, () => url);
  const push = new EventPush(sim);
  const control = createControl(sim, faults, sso, push, new DeviceAccess(sim));

  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', url);
    const route = async () => {
      if (u.pathname.startsWith(OPENAPI_PREFIX)) return serveOpenApi(sim, faults, req, res, u);
      if (u.pathname.startsWith('/_sim/')) {
        const args = req.method === 'POST' ? (JSON.parse((await readBody(req)) || '[]') as unknown[]) : [];
        return json(res, 200, callControl(control, u.pathname.slice('/_sim/'.length), args));
      }
      if (u.pathname === '/linkus/sso/login') {
        const target = await sso.start(u.searchParams.get('login_hint')).catch((err: Error) => err);
        if (target instanceof Error)
          return json(res, 403, { errcode: 10005, errmsg: 'ACCESS DENIED', reason: target.message });
        res.writeHead(302, { location: target });
        return res.end();
      }
      if (u.pathname === '/linkus/sso/callback') {
        const result = await sso.callback(u.searchParams);
        return json(res, result.ok ? 200 : 403, {
          errcode: result.ok ? 0 : 10005,
          errmsg: result.ok ? 'SUCCESS' : 'ACCESS DENIED',
          ...result,
        });
      }
      if (u.pathname === '/' || u.pathname === '/status') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        return res.end(renderStatusPage(control.state(), control.ssoLogins(), control.counters()));
      }
      json(res, 404, { errcode: 10001, errmsg: 'INTERFACE NOT EXISTED' });
    };
    route().catch((err: Error) => {
      if (!res.headersSent) json(res, 400, { error: err.message });
      else res.destroy();
    });
  });
  server.on('upgrade', (req, socket, head) => {
    const u = new URL(req.url ?? '/', url);
    if (u.pathname === `${OPENAPI_PREFIX}subscribe`) push.upgrade(req, socket, head, u);
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('simulator did not bind a TCP port');
  url = `http://127.0.0.1:${address.port}`;

  return {
    url,
    clientId: settings.clientId,
    get clientSecret() {
      return settings.clientSecret;
    },
    control,
    stop: async () => {
      push.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
}
