import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_ROLES, AppRegistry, newClientSecret, type AppRegistration } from './apps.js';
import { ensureServerTls } from './certs.js';
import { DEFAULT_SETTINGS, type SimContext, type SimSettings } from './context.js';
import { CONTROL_METHODS, GraphControl } from './control.js';
import { Counters } from './counters.js';
import { createEntraRouter, TOKEN_ROUTE } from './entra.js';
import { Faults } from './faults.js';
import { createGraphApi } from './graph-api.js';
import { json, readRequest, writeResponse, type SimRequest, type SimResponse } from './http.js';
import { GRAPH_PREFIX } from './odata.js';
import { SigningKey } from './signing.js';
import { Subscriptions } from './subscriptions.js';
import { Tenant, TenantError } from './tenant.js';
import { RateWindows } from './throttling.js';

export { GraphControl } from './control.js';
export { createClientCertificate } from './certs.js';
export { ALL_ROLES, type AppRegistration } from './apps.js';
export type { FaultConfig, FaultRule } from './faults.js';
export type { CounterSnapshot } from './counters.js';
export type { SimSettings } from './context.js';
export type { PresenceChange } from './presence-changes.js';
export type { PresenceChurnOptions } from './presence-churn.js';
export type { RateLimit } from './throttling.js';
export type { SimUser, SimGroup, SimContact, SimContactFolder, SimPresence } from './model.js';

export const DEFAULT_TENANT_ID = '8f3b2a6e-5c1d-4e7f-9a0b-1c2d3e4f5a6b';
export const DEFAULT_CLIENT_ID = 'd0c5e1a2-7b3f-4c9d-8e6a-0f1b2c3d4e5f';
export const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../.data/graph-sim', import.meta.url));

export interface GraphSimulatorOptions {
  /** 0 (default) = a random free port. */
  port?: number;
  /** Certificates, signing key and (optionally) the tenant file live here. */
  dataDir?: string;
  tenantId?: string;
  latencyMs?: number;
  /** Generate a tenant of this many users at start (deterministic with `seed`). */
  users?: number;
  seed?: number;
  /** Load this tenant file at start if it exists (see `control.saveTenant`). */
  tenantFile?: string;
  /** Secret of the default app registration (all roles); random when absent. */
  defaultClientSecret?: string;
  settings?: Partial<SimSettings>;
}

export interface GraphSimulator {
  /** https://localhost:PORT */
  url: string;
  /** For `authorityHost` of @azure/identity credentials. */
  authorityHost: string;
  /** Graph root without the version, like https://graph.microsoft.com */
  graphBaseUrl: string;
  caCertPath: string;
  tenantId: string;
  defaultApp: Required<Pick<AppRegistration, 'clientId' | 'clientSecret'>> & AppRegistration;
  control: GraphControl;
  stop(): Promise<void>;
}

function controlHandler(control: GraphControl) {
  const allowed = new Set<string>(CONTROL_METHODS);
  return async (req: SimRequest): Promise<SimResponse> => {
    const method = req.path.slice('/_sim/'.length);
    if (!allowed.has(method))
      return json({ error: { code: 'NotFound', message: `Unknown control method '${method}'.` } }, 404);
    try {
      const args: unknown = req.rawBody === '' ? [] : JSON.parse(req.rawBody);
      const list = Array.isArray(args) ? args : [args];
      const fn = control[method as (typeof CONTROL_METHODS)[number]] as (...a: unknown[]) => unknown;
      const result = await fn.apply(control, list);
      return json({ result: result ?? null });
    } catch (err) {
      const status = err instanceof TenantError ? err.status : 400;
      return json(
        { error: { code: 'ControlError', message: err instanceof Error ? err.message : String(err) } },
        status,
      );
    }
  };
}

export async function startGraphSimulator(options: GraphSimulatorOptions = {}): Promise<GraphSimulator> {
  const dataDir = options.dataDir ?? DEFAULT_DATA_DIR;
  const tls = ensureServerTls(dataDir);
  const sim: SimContext = {
    tenantId: options.tenantId ?? DEFAULT_TENANT_ID,
    tenant: new Tenant(),
    apps: new AppRegistry(),
    signing: await SigningKey.load(dataDir),
    faults: new Faults(),
    presenceWindows: new RateWindows(),
    counters: new Counters(),
    settings: { ...DEFAULT_SETTINGS, ...options.settings },
  };
  const defaultApp = sim.apps.register({
    clientId: DEFAULT_CLIENT_ID,
    displayName: 'entra-pbx-sync (simulator default)',
    clientSecret: options.defaultClientSecret ?? newClientSecret(),
    roles: [...ALL_ROLES],
  }) as GraphSimulator['defaultApp'];
  const subscriptions = new Subscriptions(sim, join(dataDir, 'subscriptions.json'));
  const control = new GraphControl(sim, subscriptions);
  if (options.tenantFile && existsSync(options.tenantFile)) control.loadTenant(options.tenantFile);
  else if (options.users)
    control.generateTenant({
      users: options.users,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
    });
  if (options.latencyMs) sim.faults.set({ latencyMs: options.latencyMs });

  const graph = createGraphApi(sim, subscriptions);
  const entra = createEntraRouter(sim);
  const controlApi = controlHandler(control);
  let origin = '';

  async function route(req: SimRequest): Promise<SimResponse> {
    if (req.path === GRAPH_PREFIX || req.path.startsWith(`${GRAPH_PREFIX}/`)) {
      return graph.handle({ ...req, path: req.path.slice(GRAPH_PREFIX.length) || '/' });
    }
    if (req.path.startsWith('/_sim/')) return controlApi(req);
    const match = entra.match(req.method, req.path);
    const found = match && match !== 'method-not-allowed' ? match : undefined;
    const response = found
      ? await found.route.handler(req, found.params, sim)
      : json({ error: 'not_found', error_description: `No endpoint at ${req.path}.` }, 404);
    const tokenRequest = found?.route.pattern === TOKEN_ROUTE;
    const clientId = tokenRequest ? new URLSearchParams(req.rawBody).get('client_id') : null;
    sim.counters.record(
      {
        at: Date.now(),
        method: req.method,
        endpoint: `${req.method} ${found?.route.pattern ?? '(unmatched)'}`,
        path: req.path,
        status: response.status,
        ...(clientId ? { clientId } : {}),
      },
      tokenRequest,
    );
    return response;
  }

  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (msg, res) => {
    void (async () => {
      const req = await readRequest(msg, origin);
      let response: SimResponse;
      try {
        response = await route(req);
      } catch (err) {
        response = json({ error: { code: 'InternalServerError', message: String(err) } }, 500);
      }
      writeResponse(res, req, response);
    })().catch(() => res.destroy());
  });
  // Graph's front ends keep idle connections for minutes (exact value UNCONFIRMED); Node's default of 5 s would
  // reset sockets under clients that poll every 5 s, a failure the real service does not show.
  server.keepAliveTimeout = 120_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  origin = `https://localhost:${(server.address() as AddressInfo).port}`;

  return {
    url: origin,
    authorityHost: origin,
    graphBaseUrl: origin,
    caCertPath: tls.caCertPath,
    tenantId: sim.tenantId,
    defaultApp,
    control,
    async stop() {
      control.stopPresenceChurn();
      await subscriptions.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
