import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from './load.js';

type Env = Record<string, string | undefined>;

/** Where the demo leaves its settings for the CLI (relative to the directory the CLI runs in). */
export const DEMO_PROFILE = '.data/cli-profile.json';

/**
 * The CLI's environment: the variables set, over a profile of the same variables (`ENTRA_PBX_PROFILE`, else the
 * demo's, when there is one). So the CLI works in another shell next to a running demo with nothing set, and
 * any variable an operator sets wins.
 */
export function withCliProfile(env: Env = process.env): Env {
  const explicit = env.ENTRA_PBX_PROFILE;
  const file = explicit ?? resolve(DEMO_PROFILE);
  if (!existsSync(file)) {
    if (explicit)
      throw new ConfigError(`Invalid configuration: ENTRA_PBX_PROFILE=${explicit} does not exist`);
    return env;
  }
  let profile: unknown;
  try {
    profile = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    throw new ConfigError(
      `Invalid configuration: ${file} (the CLI profile) is not a JSON object of variables`,
    );
  }
  const set = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  return { ...(profile as Env), ...set };
}
