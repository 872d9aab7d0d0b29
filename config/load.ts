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

/** Whether JSON.parse fails on `prefix` only for want of more text (V8 then names its end as position). */
function couldContinueAsJson(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return true;
  } catch (error) {
    const { message } = error as Error;
    const position = /at position (\d+)/.exec(message)?.[1];
    return message === 'Unexpected end of JSON input' || Number(position) >= prefix.length;
  }
}

/**
 * Offset of the first character that makes `text` invalid JSON. V8 gives a position in most messages, but not
 * in "Unexpected token", which quotes the text instead: it is the end of the longest prefix that could still
 * begin a valid document.
 */
function jsonErrorOffset(text: string): number {
  let valid = 0;
  let invalid = text.length + 1;
  while (invalid - valid > 1) {
    const middle = Math.floor((valid + invalid) / 2);
    if (couldContinueAsJson(text.slice(0, middle))) valid = middle;
    else invalid = middle;
  }
  return valid;
}

function lineAndColumn(text: string, offset: number): string {
  const lines = text.slice(0, offset).split('\n');
  return `${lines.length}:${lines.at(-1)!.length + 1}`;
}

/** Parser messages are left out: they may quote the file, secrets included. */
function readConfigFile(path: string): Tree {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(
      `Invalid configuration: ENTRA_PBX_CONFIG_FILE=${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(
      `Invalid configuration: ${path}:${lineAndColumn(text, jsonErrorOffset(text))}: not valid JSON`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new ConfigError(`Invalid configuration: ${path} is not a JSON object`);
  return parsed as Tree;
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
