import { ConfigError, loadWorkerConfig } from '../config/index.js';

/** The PBX client secret never travels in clear over a network. */

const validEnv = {
  ENTRA_TENANT_ID: '11111111-2222-3333-4444-555555555555',
  ENTRA_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
  ENTRA_CLIENT_SECRET: 'graph-secret-value',
  PBX_BASE_URL: 'https://pbx.example.com/',
  PBX_CLIENT_ID: 'pbx-client',
  PBX_CLIENT_SECRET: 'pbx-secret-value',
};

const HTTPS_REQUIRED =
  'Invalid configuration: pbx.baseUrl (PBX_BASE_URL): expected https:// (http:// only for 127.0.0.1/localhost, or set PBX_ALLOW_INSECURE_HTTP=true)';

const baseUrl = (env: Record<string, string>) => loadWorkerConfig({ ...validEnv, ...env }).pbx.baseUrl;

test('http:// to a host on the network is refused, naming the setting and its way out', () => {
  for (const url of ['http://pbx.example.com', 'http://192.168.1.20:80', 'http://[fe80::1]:8088']) {
    expect(() => baseUrl({ PBX_BASE_URL: url })).toThrow(ConfigError);
    expect(() => baseUrl({ PBX_BASE_URL: url })).toThrow(HTTPS_REQUIRED);
  }
});

test('https:// anywhere and http:// to this machine are accepted', () => {
  expect(baseUrl({ PBX_BASE_URL: 'https://pbx.example.com:8088/' })).toBe('https://pbx.example.com:8088');
  for (const url of ['http://127.0.0.1:8088', 'http://localhost:8088', 'http://[::1]:8088']) {
    expect(baseUrl({ PBX_BASE_URL: url })).toBe(url);
  }
});

test('PBX_ALLOW_INSECURE_HTTP=true allows http:// to a Software/Appliance PBX on the LAN', () => {
  const config = loadWorkerConfig({
    ...validEnv,
    PBX_BASE_URL: 'http://192.168.1.20',
    PBX_ALLOW_INSECURE_HTTP: 'true',
  });
  expect(config.pbx).toMatchObject({ baseUrl: 'http://192.168.1.20', allowInsecureHttp: true });
  expect(() => baseUrl({ PBX_BASE_URL: 'http://192.168.1.20', PBX_ALLOW_INSECURE_HTTP: 'false' })).toThrow(
    HTTPS_REQUIRED,
  );
  expect(() => baseUrl({ PBX_BASE_URL: 'http://192.168.1.20', PBX_ALLOW_INSECURE_HTTP: 'maybe' })).toThrow(
    'pbx.allowInsecureHttp (PBX_ALLOW_INSECURE_HTTP): expected true or false',
  );
});
