import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadTemporalConnectConfig, loadWorkerConfig } from '../config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'entra-pbx-config-secrets-'));

function fileWith(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function configErrorOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

const malformedJson = (text: string) => {
  const path = fileWith('config.json', text);
  return { path, message: configErrorOf(() => loadWorkerConfig({ ENTRA_PBX_CONFIG_FILE: path })) };
};

test('a malformed JSON config file is reported by path, line and column, never by its text', () => {
  const { path, message } = malformedJson('{"pbx": {"clientSecret": "SUPERSECRET-123" ,, }}');
  expect(message).toBe(`Invalid configuration: ${path}:1:45: not valid JSON`);
  expect(message).not.toContain('SUPERSECRET');
});

test('a JSON error V8 reports with an excerpt and no position still gets a line and column', () => {
  const text = '{\n  "pbx": {\n    "clientSecret": "SUPERSECRET-123",\n    "clientId": tru\n  }\n}';
  const { path, message } = malformedJson(text);
  expect(message).toBe(`Invalid configuration: ${path}:4:20: not valid JSON`);
  expect(message).not.toContain('SUPERSECRET');
});

test('a truncated JSON config file points at its end', () => {
  const { path, message } = malformedJson('{\n  "pbx": {"clientSecret": "SUPERSECRET-123"');
  expect(message).toBe(`Invalid configuration: ${path}:2:44: not valid JSON`);
  expect(message).not.toContain('SUPERSECRET');
});

test('a malformed Temporal TOML profile is reported by path, line and column, never by its text', () => {
  const path = fileWith(
    'temporal.toml',
    '[profile.default]\naddress = "temporal.example.com:7233"\napi_key = "SUPERSECRET-456\nnamespace = "prod"\n',
  );
  const message = configErrorOf(() => loadTemporalConnectConfig({ TEMPORAL_CONFIG_FILE: path }));
  expect(message).toContain(`${path}:3:`);
  expect(message).toMatch(/:3:\d+: not valid TOML \(control characters are not allowed in strings\)$/);
  expect(message).not.toContain('SUPERSECRET');
  expect(message).not.toContain('api_key');
});
