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
import type { GraphSourceOptions } from './graph-options.js';
import { GraphTokens } from './graph-token.js';
import { AgentHttpHandler } from './graph-transport.js';

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

/**
 * The token scope for a Graph base URL: each national cloud's Graph host is its own resource
 * (`https://graph.microsoft.us/.default`, ...); any other host (a proxy, the simulator) stands in for the global one.
 */
export function graphScopeFor(graphBaseUrl: string): string | undefined {
  const { hostname, origin } = new URL(graphBaseUrl);
  return MICROSOFT_GRAPH_HOSTS.has(hostname) ? `${origin}/.default` : undefined;
}

/** MSAL caches the token inside the credential: GraphTokens keeps one, replaced only to drop that cache. */
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

export interface GraphConnection {
  client: Client;
  tokens: GraphTokens;
}

/**
 * One Graph client and its tokens per worker. The SDK's RetryHandler is kept in the chain but set to 0
 * retries: Temporal owns retries (see graph-failures.ts), so no activity sleeps silently inside the SDK.
 */
export function connectGraph(options: GraphSourceOptions): GraphConnection {
  const agent = options.caFile
    ? new Agent({ ca: readFileSync(options.caFile, 'utf8'), keepAlive: true })
    : undefined;
  const tokens = new GraphTokens(
    () => createCredential(options, agent),
    options.credentialCoolDownMs,
    graphScopeFor(options.graphBaseUrl),
  );
  const base = new URL(options.graphBaseUrl);
  const version = base.pathname.replace(/^\/+|\/+$/g, '') || 'v1.0';
  const client = Client.initWithMiddleware({
    middleware: [
      new AuthenticationHandler(tokens),
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
  return { client, tokens };
}
