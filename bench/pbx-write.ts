/**
 * Creates 500 extensions through the Yeastar adapter against the simulator with realistic settings
 * (100 ms per request, at most 4 processed at once) and compares the elapsed time with the lower bound
 * requests × latency / concurrency. Run: `npx tsx bench/pbx-write.ts [count]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectYeastar } from '../activities/pbx/index.js';
import { startYeastarSimulator } from '../simulators/yeastar/index.js';

const COUNT = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 500);
const LATENCY_MS = 100;
const CONCURRENCY = 4;

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pbx-bench-'));
const sim = await startYeastarSimulator({
  dataDir,
  latencyMs: LATENCY_MS,
  maxConcurrent: CONCURRENCY,
  extensionCapacity: COUNT,
  fsync: process.argv.includes('--no-fsync') ? false : true,
});
const dir = connectYeastar({
  baseUrl: sim.url,
  clientId: sim.clientId,
  clientSecret: sim.clientSecret,
  maxConcurrentRequests: CONCURRENCY,
}).directory;

try {
  const started = performance.now();
  await Promise.all(
    Array.from({ length: COUNT }, (_, i) =>
      dir.createExtension({
        number: String(10000 + i),
        firstName: `Bench${i}`,
        lastName: 'User',
        email: `bench${i}@contoso.com`,
      }),
    ),
  );
  const elapsedMs = performance.now() - started;
  const counters = sim.control.counters();
  const requests = Object.values(counters).reduce((a, b) => a + b, 0);
  const lowerBoundMs = (requests * LATENCY_MS) / CONCURRENCY;
  console.log(
    `created ${sim.control.state().extensions.length} extensions in ${(elapsedMs / 1000).toFixed(2)} s`,
  );
  console.log('requests by endpoint:', counters);
  console.log(`token calls: ${(counters.get_token ?? 0) + (counters.refresh_token ?? 0)}`);
  console.log(
    `lower bound ${requests} × ${LATENCY_MS} ms / ${CONCURRENCY} = ${(lowerBoundMs / 1000).toFixed(2)} s; ` +
      `ratio ${(elapsedMs / lowerBoundMs).toFixed(3)}`,
  );
} finally {
  await dir.close();
  await sim.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
