/**
 * CLI: `npm run sim:yeastar -- [--port N] [--data-dir DIR] [--latency-ms N] [--max-concurrent N]
 * [--capacity N] [--access-ttl S] [--refresh-ttl S]`. Credentials come from YEASTAR_SIM_CLIENT_ID /
 * YEASTAR_SIM_CLIENT_SECRET or the defaults.
 */
import { parseArgs } from 'node:util';
import { startYeastarSimulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8088' },
    'data-dir': { type: 'string' },
    'latency-ms': { type: 'string' },
    'max-concurrent': { type: 'string' },
    capacity: { type: 'string' },
    'access-ttl': { type: 'string' },
    'refresh-ttl': { type: 'string' },
  },
});

const num = (v: string | undefined): number | undefined => (v === undefined ? undefined : Number(v));
const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const sim = await startYeastarSimulator(
  defined({
    port: num(values.port),
    dataDir: values['data-dir'],
    latencyMs: num(values['latency-ms']),
    maxConcurrent: num(values['max-concurrent']),
    extensionCapacity: num(values.capacity),
    accessTokenTtlSec: num(values['access-ttl']),
    refreshTokenTtlSec: num(values['refresh-ttl']),
    clientId: process.env.YEASTAR_SIM_CLIENT_ID,
    clientSecret: process.env.YEASTAR_SIM_CLIENT_SECRET,
  }),
);

console.log(`Yeastar P-Series simulator listening on ${sim.url}`);
console.log(`  Open API base:  ${sim.url}/openapi/v1.0/`);
console.log(`  Client ID:      ${sim.clientId}`);
console.log(`  Client Secret:  ${sim.clientSecret}`);
console.log(`  Status page:    ${sim.url}/`);
console.log(`  Control API:    POST ${sim.url}/_sim/<method> with a JSON array of arguments`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void sim.stop().then(() => process.exit(0));
  });
}
