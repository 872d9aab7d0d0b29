import { resolve } from 'node:path';
import { startGraphSimulator, type GraphSimulator } from '../simulators/graph/index.js';
import { startYeastarSimulator, type YeastarSimulator } from '../simulators/yeastar/index.js';

export interface SimulatedWorld {
  graph: GraphSimulator;
  pbx: YeastarSimulator;
  /** The worker configuration a real deployment would set, pointing at the simulators. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export interface SimulatedWorldOptions {
  users: number;
  seed?: number;
  /** The simulated tenant's id (default: the Graph simulator's); tests sharing one Temporal server differ here. */
  tenantId?: string;
  dataDir: string;
  graphPort?: number;
  pbxPort?: number;
  pbxLatencyMs?: number;
  pbxMaxConcurrent?: number;
  /** Yeastar Cloud caps a PBX at 500 extensions; the demo and tests model a bigger plan. Default 100,000. */
  pbxExtensionCapacity?: number;
  graphLatencyMs?: number;
  /**
   * The PBX has the undocumented fields to disable an extension and switch Linkus (default true, as most tests
   * assume); false models the documented Open API alone, the common real-world case.
   */
  pbxVariantFields?: boolean;
}

/** Both simulators, and the environment that points the product at them (configuration only). */
export async function startSimulatedWorld(options: SimulatedWorldOptions): Promise<SimulatedWorld> {
  const variantFields = options.pbxVariantFields ?? true;
  const graph = await startGraphSimulator({
    port: options.graphPort ?? 0,
    dataDir: resolve(options.dataDir, 'graph-sim'),
    users: options.users,
    seed: options.seed ?? 1,
    ...(options.tenantId ? { tenantId: options.tenantId } : {}),
    ...(options.graphLatencyMs ? { latencyMs: options.graphLatencyMs } : {}),
  });
  const pbx = await startYeastarSimulator({
    port: options.pbxPort ?? 0,
    dataDir: resolve(options.dataDir, 'yeastar-sim'),
    fsync: false,
    ...(options.pbxLatencyMs ? { latencyMs: options.pbxLatencyMs } : {}),
    ...(options.pbxMaxConcurrent ? { maxConcurrent: options.pbxMaxConcurrent } : {}),
    extensionCapacity: options.pbxExtensionCapacity ?? 100_000,
    ...(variantFields ? {} : { extensionEnabledField: null, linkusEnabledField: null }),
  });
  const env = {
    ENTRA_TENANT_ID: graph.tenantId,
    ENTRA_CLIENT_ID: graph.defaultApp.clientId,
    ENTRA_CLIENT_SECRET: graph.defaultApp.clientSecret,
    ENTRA_AUTHORITY_HOST: graph.authorityHost,
    GRAPH_BASE_URL: graph.graphBaseUrl,
    GRAPH_CA_FILE: graph.caCertPath,
    PBX_BASE_URL: pbx.url,
    PBX_CLIENT_ID: pbx.clientId,
    PBX_CLIENT_SECRET: pbx.clientSecret,
    ...(variantFields
      ? { PBX_EXTENSION_ENABLED_FIELD: 'enable_extension', PBX_LINKUS_ENABLED_FIELD: 'enable_linkus' }
      : {}),
  };
  return {
    graph,
    pbx,
    env,
    stop: async () => {
      await Promise.all([graph.stop(), pbx.stop()]);
    },
  };
}
