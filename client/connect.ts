import { Client, Connection } from '@temporalio/client';
import {
  loadClientConfig,
  loadTemporalConnectConfig,
  withCliProfile,
  type ClientConfig,
} from '../config/index.js';

export interface OperatorClient {
  client: Client;
  config: ClientConfig;
  address: string;
  close(): Promise<void>;
}

/** Connects with Temporal's standard client configuration (TEMPORAL_ADDRESS, profiles, API keys, TLS). */
export async function connectOperatorClient(): Promise<OperatorClient> {
  const env = withCliProfile();
  const config = loadClientConfig(env);
  const temporal = loadTemporalConnectConfig(env);
  const address = temporal.connectionOptions.address ?? '';
  const connection = await Connection.connect(temporal.connectionOptions).catch((error: unknown) => {
    throw new Error(`cannot reach Temporal at ${address}: ${(error as Error).message}`);
  });
  const client = new Client({ connection, namespace: temporal.namespace ?? 'default' });
  return {
    client,
    config,
    address,
    close: () => connection.close(),
  };
}
