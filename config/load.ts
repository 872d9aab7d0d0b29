import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ENV_KEYS, clientConfigSchema, workerConfigSchema, type ConfigKey } from './schema.js';

/** Thrown for configuration that cannot work; its message is one line per bad key, fit for an operator. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;
type Tree = Record<string, unknown>;

function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    node[part] = typeof child === 'object' && child !== null ? child : {};
    node = node[part] as Tree;
  }
  node[parts.at(-1)!] = value;
}

function readConfigFile(path: string): Tree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration: ENTRA_PBX_CONFIG_FILE=${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new Error('not an object');
    return parsed as Tree;
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration: ${path} is not a JSON object (${(error as Error).message})`,
    );
  }
}

/** Config file (ENTRA_PBX_CONFIG_FILE, JSON) first, then environment variables on top. */
function rawConfig(env: Env): Tree {
  const tree = env.ENTRA_PBX_CONFIG_FILE ? readConfigFile(env.ENTRA_PBX_CONFIG_FILE) : {};
  for (const [key, envName] of Object.entries(ENV_KEYS)) {
    const value = env[envName];
    if (value !== undefined && value !== '') setPath(tree, key, value);
  }
  return tree;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.join('.');
  const envName = ENV_KEYS[key as ConfigKey];
  return `${key || '(root)'}${envName ? ` (${envName})` : ''}: ${issue.message}`;
}

function parse<S extends z.ZodType>(schema: S, env: Env): z.output<S> {
  const result = schema.safeParse(rawConfig(env));
  if (result.success) return result.data;
  throw new ConfigError(`Invalid configuration: ${result.error.issues.map(describeIssue).join('; ')}`);
}

export const loadWorkerConfig = (env: Env = process.env) => parse(workerConfigSchema, env);
export const loadClientConfig = (env: Env = process.env) => parse(clientConfigSchema, env);
