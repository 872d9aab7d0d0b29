import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraphSource, type GraphSourceOptions } from '../../activities/graph/index.js';
import {
  startGraphSimulator,
  type GraphSimulator,
  type GraphSimulatorOptions,
} from '../../simulators/graph/index.js';

export interface SimHarness {
  sim: GraphSimulator;
  /** Adapter options for the default app (secret), optionally overridden. */
  options(overrides?: Partial<GraphSourceOptions>): GraphSourceOptions;
  source(overrides?: Partial<GraphSourceOptions>): GraphSource;
  stop(): Promise<void>;
}

/** A simulator on a random port with its own data dir (certificates are generated per suite). */
export async function startHarness(opts: GraphSimulatorOptions = {}): Promise<SimHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), 'graph-sim-'));
  const sim = await startGraphSimulator({ dataDir, ...opts });
  const options = (overrides: Partial<GraphSourceOptions> = {}): GraphSourceOptions => ({
    tenantId: sim.tenantId,
    clientId: sim.defaultApp.clientId,
    auth: { kind: 'secret', clientSecret: sim.defaultApp.clientSecret },
    authorityHost: sim.authorityHost,
    graphBaseUrl: sim.graphBaseUrl,
    caFile: sim.caCertPath,
    ...overrides,
  });
  return {
    sim,
    options,
    source: (overrides) => new GraphSource(options(overrides)),
    async stop() {
      await sim.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** Plain HTTPS against the simulator (trusting its CA), for checks below the SDKs. */
export function rawRequest(
  sim: GraphSimulator,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const ca = readFileSync(sim.caCertPath, 'utf8');
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, sim.url), { method, headers: init.headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text,
          json: <T>() => JSON.parse(text) as T,
        });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** An app-only access token for raw Graph calls. */
export async function appToken(
  sim: GraphSimulator,
  clientId = sim.defaultApp.clientId,
  secret = sim.defaultApp.clientSecret,
) {
  const res = await rawRequest(sim, 'POST', `/${sim.tenantId}/oauth2/v2.0/token`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
      scope: 'https://graph.microsoft.com/.default',
    }).toString(),
  });
  return res.json<{ access_token: string }>().access_token;
}
