import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { connectYeastar, type YeastarDirectory, type YeastarOptions } from '../../activities/pbx/index.js';
import type { YeastarPhonebooks } from '../../activities/pbx/yeastar/index.js';
import {
  startYeastarSimulator,
  type YeastarSimulator,
  type YeastarSimulatorOptions,
} from '../../simulators/yeastar/index.js';

/** A simulator on a random port with its own temp data dir, and adapters pointed at it. */
export interface SimHarness {
  sim: YeastarSimulator;
  dataDir: string;
  directory(options?: Partial<YeastarOptions>): YeastarDirectory;
  phonebooks(options?: Partial<YeastarOptions>): YeastarPhonebooks;
  stop(): Promise<void>;
}

export const tempDataDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'yeastar-sim-'));

export async function startHarness(options: YeastarSimulatorOptions = {}): Promise<SimHarness> {
  const dataDir = options.dataDir ?? tempDataDir();
  const sim = await startYeastarSimulator({ fsync: false, ...options, dataDir });
  const sessions: ReturnType<typeof connectYeastar>[] = [];
  const connect = (extra: Partial<YeastarOptions>) => {
    const session = connectYeastar({
      baseUrl: sim.url,
      clientId: sim.clientId,
      clientSecret: sim.clientSecret,
      extensionEnabledField: 'enable_extension',
      linkusEnabledField: 'enable_linkus',
      ...extra,
    });
    sessions.push(session);
    return session;
  };
  return {
    sim,
    dataDir,
    directory: (extra = {}) => connect(extra).directory,
    phonebooks: (extra = {}) => connect(extra).phonebooks,
    stop: async () => {
      await Promise.all(sessions.map((s) => s.close().catch(() => undefined)));
      await sim.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Raw Open API call over node:http (which, unlike fetch, sends no User-Agent unless told to). */
export function api(
  url: string,
  endpoint: string,
  init: {
    method?: 'GET' | 'POST';
    token?: string;
    query?: Record<string, string>;
    body?: unknown;
    userAgent?: string | null;
  } = {},
): Promise<Record<string, unknown> & { errcode: number }> {
  const u = new URL(`/openapi/v1.0/${endpoint}`, url);
  if (init.token) u.searchParams.set('access_token', init.token);
  for (const [k, v] of Object.entries(init.query ?? {})) u.searchParams.set(k, v);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (init.userAgent !== null) headers['user-agent'] = init.userAgent ?? 'OpenAPI';
  const body =
    typeof init.body === 'string'
      ? init.body
      : init.body === undefined
        ? undefined
        : JSON.stringify(init.body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      u,
      { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolve(
              JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> & {
                errcode: number;
              },
            );
          } catch (err) {
            reject(err as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function token(sim: YeastarSimulator): Promise<string> {
  const res = await api(sim.url, 'get_token', {
    body: { username: sim.clientId, password: sim.clientSecret },
  });
  if (res.errcode !== 0) throw new Error(`get_token failed: ${JSON.stringify(res)}`);
  return res.access_token as string;
}
