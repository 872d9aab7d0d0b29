import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, loadTemporalConnectConfig, loadWorkerConfig } from '../config/index.js';

const validEnv = {
  ENTRA_TENANT_ID: '11111111-2222-3333-4444-555555555555',
  ENTRA_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
  ENTRA_CLIENT_SECRET: 'graph-secret-value',
  PBX_BASE_URL: 'https://pbx.example.com/',
  PBX_CLIENT_ID: 'pbx-client',
  PBX_CLIENT_SECRET: 'pbx-secret-value',
};

function configError(env: Record<string, string | undefined>): string {
  try {
    loadWorkerConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

test('a complete environment loads with defaults and trimmed URLs', () => {
  const config = loadWorkerConfig(validEnv);
  expect(config.taskQueue).toBe('entra-pbx-sync');
  expect(config.graph.authorityHost).toBe('https://login.microsoftonline.com');
  expect(config.graph.graphBaseUrl).toBe('https://graph.microsoft.com');
  expect(config.pbx.baseUrl).toBe('https://pbx.example.com');
  expect(config.graph.clientSecret?.reveal()).toBe('graph-secret-value');
});

test('secrets never show in JSON, string or inspect output', () => {
  const config = loadWorkerConfig(validEnv);
  const rendered = [
    JSON.stringify(config),
    inspect(config, { depth: 5 }),
    String(config.pbx.clientSecret),
  ].join('\n');
  expect(rendered).not.toContain('graph-secret-value');
  expect(rendered).not.toContain('pbx-secret-value');
  expect(rendered).toContain('[redacted]');
});

test('a missing value names the key and its environment variable on one line', () => {
  const message = configError({ ...validEnv, PBX_BASE_URL: undefined });
  expect(message).toBe(
    'Invalid configuration: pbx.baseUrl (PBX_BASE_URL): expected an http:// or https:// URL',
  );
});

test('a malformed value says what is expected', () => {
  expect(configError({ ...validEnv, ENTRA_CLIENT_ID: 'not-a-guid' })).toContain(
    'graph.clientId (ENTRA_CLIENT_ID): expected the application (client) id GUID',
  );
  expect(configError({ ...validEnv, ENTRA_AUTHORITY_HOST: 'http://login.example.com' })).toContain(
    'graph.authorityHost (ENTRA_AUTHORITY_HOST): expected an https:// URL',
  );
});

test('exactly one Graph credential must be set', () => {
  expect(configError({ ...validEnv, ENTRA_CLIENT_SECRET: undefined })).toContain(
    'set exactly one of graph.clientSecret',
  );
  expect(configError({ ...validEnv, ENTRA_CLIENT_CERTIFICATE_PATH: '/etc/cert.pem' })).toContain(
    'set exactly one of graph.clientSecret',
  );
});

test('a config file provides values and the environment overrides them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'entra-pbx-config-'));
  const file = join(dir, 'config.json');
  writeFileSync(
    file,
    JSON.stringify({ taskQueue: 'from-file', pbx: { baseUrl: 'https://file-pbx.example.com' } }),
  );
  const config = loadWorkerConfig({
    ...validEnv,
    PBX_BASE_URL: undefined,
    ENTRA_PBX_CONFIG_FILE: file,
    ENTRA_PBX_TASK_QUEUE: 'from-env',
  });
  expect(config.pbx.baseUrl).toBe('https://file-pbx.example.com');
  expect(config.taskQueue).toBe('from-env');
});

test('an unreadable or malformed config file fails with its path', () => {
  expect(configError({ ...validEnv, ENTRA_PBX_CONFIG_FILE: '/nonexistent/config.json' })).toBe(
    'Invalid configuration: ENTRA_PBX_CONFIG_FILE=/nonexistent/config.json cannot be read (ENOENT)',
  );
});

test('a malformed TEMPORAL_ADDRESS is rejected', () => {
  expect(() => loadTemporalConnectConfig({ TEMPORAL_ADDRESS: 'http://localhost' })).toThrow(
    /TEMPORAL_ADDRESS: expected host:port/,
  );
});

const notificationEnv = {
  GRAPH_NOTIFICATION_URL: 'https://sync.example.com/graph/notifications',
  GRAPH_NOTIFICATION_PORT: '8444',
  GRAPH_NOTIFICATION_CLIENT_STATE: 'notification-client-state',
};

test('change notifications are optional: all three settings or none', () => {
  expect(loadWorkerConfig(validEnv).notifications).toBeUndefined();
  const config = loadWorkerConfig({ ...validEnv, ...notificationEnv });
  expect(config.notifications?.publicUrl).toBe('https://sync.example.com/graph/notifications');
  expect(config.notifications?.listenPort).toBe(8444);
  expect(config.notifications?.clientState.reveal()).toBe('notification-client-state');
  expect(JSON.stringify(config)).not.toContain('notification-client-state');
  expect(inspect(config, { depth: 5 })).not.toContain('notification-client-state');

  expect(configError({ ...validEnv, GRAPH_NOTIFICATION_URL: notificationEnv.GRAPH_NOTIFICATION_URL })).toBe(
    'Invalid configuration: notifications.listenPort (GRAPH_NOTIFICATION_PORT): expected a TCP port (0-65535); ' +
      'notifications.clientState (GRAPH_NOTIFICATION_CLIENT_STATE): required',
  );
  expect(configError({ ...validEnv, ...notificationEnv, GRAPH_NOTIFICATION_URL: undefined })).toContain(
    'notifications.publicUrl (GRAPH_NOTIFICATION_URL): expected an https:// URL',
  );
});

test('notification settings are checked: https (http only on loopback), a port, a short clientState', () => {
  expect(
    configError({ ...validEnv, ...notificationEnv, GRAPH_NOTIFICATION_URL: 'http://sync.example.com/n' }),
  ).toContain(
    'notifications.publicUrl (GRAPH_NOTIFICATION_URL): expected an https:// URL (http:// only for 127.0.0.1 or localhost)',
  );
  for (const url of ['http://127.0.0.1:8444/notifications', 'http://localhost:8444/notifications'])
    expect(
      loadWorkerConfig({ ...validEnv, ...notificationEnv, GRAPH_NOTIFICATION_URL: url }).notifications
        ?.publicUrl,
    ).toBe(url);
  expect(configError({ ...validEnv, ...notificationEnv, GRAPH_NOTIFICATION_PORT: '70000' })).toContain(
    'notifications.listenPort (GRAPH_NOTIFICATION_PORT): expected a TCP port (0-65535)',
  );
  expect(configError({ ...validEnv, ...notificationEnv, GRAPH_NOTIFICATION_PORT: 'eighty' })).toContain(
    'notifications.listenPort (GRAPH_NOTIFICATION_PORT): expected a TCP port (0-65535)',
  );
  expect(
    configError({ ...validEnv, ...notificationEnv, GRAPH_NOTIFICATION_CLIENT_STATE: 'x'.repeat(129) }),
  ).toContain('notifications.clientState (GRAPH_NOTIFICATION_CLIENT_STATE): at most 128 characters');
});
