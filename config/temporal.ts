import { loadClientConnectConfig } from '@temporalio/envconfig';
import { ConfigError } from './load.js';

export type TemporalConnectConfig = ReturnType<typeof loadClientConnectConfig>;

/**
 * Temporal's standard client configuration: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, a TOML profile (TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE). Defaults to a local dev server.
 */
export function loadTemporalConnectConfig(
  env: Record<string, string | undefined> = process.env,
): TemporalConnectConfig {
  let config: TemporalConnectConfig;
  try {
    config = loadClientConnectConfig({
      overrideEnvVars: Object.fromEntries(
        Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
      ...(env.TEMPORAL_PROFILE ? { profile: env.TEMPORAL_PROFILE } : {}),
    });
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration: Temporal client config (TEMPORAL_* / temporal.toml): ${(error as Error).message}`,
    );
  }
  const address = config.connectionOptions.address ?? 'localhost:7233';
  if (!/^[^\s:/]+:\d{1,5}$/.test(address) && !/^\[[0-9a-f:]+\]:\d{1,5}$/i.test(address)) {
    throw new ConfigError(`Invalid configuration: TEMPORAL_ADDRESS: expected host:port, got "${address}"`);
  }
  return {
    ...config,
    connectionOptions: { ...config.connectionOptions, address },
    namespace: config.namespace ?? 'default',
  };
}
