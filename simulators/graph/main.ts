import { parseArgs } from 'node:util';
import { startGraphSimulator } from './index.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env['GRAPH_SIM_PORT'] ?? '8443' },
    users: { type: 'string', default: process.env['GRAPH_SIM_USERS'] ?? '200' },
    seed: { type: 'string', default: process.env['GRAPH_SIM_SEED'] ?? '42' },
    'data-dir': { type: 'string', default: process.env['GRAPH_SIM_DATA_DIR'] },
    'tenant-file': { type: 'string', default: process.env['GRAPH_SIM_TENANT_FILE'] },
    'client-secret': { type: 'string', default: process.env['GRAPH_SIM_CLIENT_SECRET'] },
    'latency-ms': { type: 'string', default: process.env['GRAPH_SIM_LATENCY_MS'] ?? '0' },
  },
});

const sim = await startGraphSimulator({
  port: Number(values.port),
  users: Number(values.users),
  seed: Number(values.seed),
  latencyMs: Number(values['latency-ms']),
  ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
  ...(values['tenant-file'] ? { tenantFile: values['tenant-file'] } : {}),
  ...(values['client-secret'] ? { defaultClientSecret: values['client-secret'] } : {}),
});

const stats = sim.control.stats();
console.log(`Graph simulator listening on ${sim.url}`);
console.log(`  authority host : ${sim.authorityHost}`);
console.log(`  Graph base URL : ${sim.graphBaseUrl}`);
console.log(`  CA certificate : ${sim.caCertPath}   (NODE_EXTRA_CA_CERTS or the adapter's caFile)`);
console.log(`  tenant id      : ${sim.tenantId}   (${stats.liveUsers} users, ${stats.groups} groups)`);
console.log(`  client id      : ${sim.defaultApp.clientId}`);
console.log(`  client secret  : ${sim.defaultApp.clientSecret}`);
console.log(`  control API    : POST ${sim.url}/_sim/<method>  (JSON array of arguments)`);

const shutdown = () => void sim.stop().then(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
