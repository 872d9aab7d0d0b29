import { loadClientConnectConfig } from '@temporalio/envconfig';
import { ConfigError } from './load.js';

export type TemporalConnectConfig = ReturnType<typeof loadClientConnectConfig>;

type Env = Record<string, string | undefined>;

/**
 * A TOML parse error (smol-toml's TomlError: line, column) by position only: its message goes on with a code
 * block of the file, and could quote it, API key included. Other envconfig errors name no file content.
 */
function describeError(error: unknown, env: Env): string {
  const { message, line, column } = error as Error & { line?: unknown; column?: unknown };
  if (typeof line !== 'number' || typeof column !== 'number') return message;
  const reason = message
    .split('\n')[0]!
    .replace(/^Invalid TOML document: /, '')
    .split(/["'`]/)[0]!
    .trim();
  return `${env.TEMPORAL_CONFIG_FILE ?? 'temporal.toml'}:${line}:${column}: not valid TOML (${reason})`;
}

/**
 * Temporal's standard client configuration: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
 * TEMPORAL_TLS_*, a TOML profile (TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE). Defaults to a local dev server.
 */
export function loadTemporalConnectConfig(env: Env = process.env): TemporalConnectConfig {
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
      `Invalid configuration: Temporal client config (TEMPORAL_* / temporal.toml): ${describeError(error, env)}`,
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
