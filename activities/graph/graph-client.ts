import { readFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity';
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  RedirectHandler,
  RetryHandler,
  RetryHandlerOptions,
  TelemetryHandler,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js';
import type { GraphSourceOptions } from './graph-options.js';
import { AgentHttpHandler } from './graph-transport.js';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
]);
const MICROSOFT_GRAPH_HOSTS = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

/** One credential per worker: MSAL caches the token inside it. */
export function createCredential(options: GraphSourceOptions, agent?: Agent): TokenCredential {
  const common = {
    authorityHost: options.authorityHost,
    // Instance discovery always goes to login.microsoftonline.com, which a private authority is not.
    ...(MICROSOFT_AUTHORITY_HOSTS.has(new URL(options.authorityHost).hostname)
      ? {}
      : { disableInstanceDiscovery: true }),
    ...(agent ? { agent } : {}),
  };
  const { auth } = options;
  if (auth.kind === 'secret') {
    return new ClientSecretCredential(options.tenantId, options.clientId, auth.clientSecret, common);
  }
  return 'certificatePath' in auth
    ? new ClientCertificateCredential(
        options.tenantId,
        options.clientId,
        { certificatePath: auth.certificatePath },
        common,
      )
    : new ClientCertificateCredential(
        options.tenantId,
        options.clientId,
        { certificate: auth.certificatePem },
        common,
      );
}

/**
 * One Graph client per worker. The SDK's RetryHandler is kept in the chain but set to 0 retries:
 * Temporal owns retries (see errors.ts), so no activity sleeps silently inside the SDK.
 */
export function createGraphClient(options: GraphSourceOptions): Client {
  const agent = options.caFile
    ? new Agent({ ca: readFileSync(options.caFile, 'utf8'), keepAlive: true })
    : undefined;
  const credential = createCredential(options, agent);
  const authProvider = new TokenCredentialAuthenticationProvider(credential, { scopes: [GRAPH_SCOPE] });
  const base = new URL(options.graphBaseUrl);
  const version = base.pathname.replace(/^\/+|\/+$/g, '') || 'v1.0';
  return Client.initWithMiddleware({
    middleware: [
      new AuthenticationHandler(authProvider),
      new RetryHandler(new RetryHandlerOptions(0, 0)),
      new RedirectHandler(),
      new TelemetryHandler(),
      agent ? new AgentHttpHandler(agent) : new HTTPMessageHandler(),
    ],
    baseUrl: `${base.origin}/`,
    defaultVersion: version,
    // The SDK only attaches the token for known Graph hosts and customHosts given as bare hostnames.
    ...(MICROSOFT_GRAPH_HOSTS.has(base.hostname) ? {} : { customHosts: new Set([base.hostname]) }),
  });
}
