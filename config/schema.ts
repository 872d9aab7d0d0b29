import { z } from 'zod';
import { syncPolicySchema } from '../model/policy.js';
import { Secret } from './secret.js';

/** Every setting with the environment variable that sets it; a config file uses the same nested keys. */
export const ENV_KEYS = {
  taskQueue: 'ENTRA_PBX_TASK_QUEUE',
  'graph.tenantId': 'ENTRA_TENANT_ID',
  'graph.clientId': 'ENTRA_CLIENT_ID',
  'graph.clientSecret': 'ENTRA_CLIENT_SECRET',
  'graph.certificatePath': 'ENTRA_CLIENT_CERTIFICATE_PATH',
  'graph.authorityHost': 'ENTRA_AUTHORITY_HOST',
  'graph.graphBaseUrl': 'GRAPH_BASE_URL',
  'graph.caFile': 'GRAPH_CA_FILE',
  'pbx.baseUrl': 'PBX_BASE_URL',
  'pbx.clientId': 'PBX_CLIENT_ID',
  'pbx.clientSecret': 'PBX_CLIENT_SECRET',
  'pbx.caFile': 'PBX_CA_FILE',
  'pbx.allowInsecureHttp': 'PBX_ALLOW_INSECURE_HTTP',
  'pbx.extensionEnabledField': 'PBX_EXTENSION_ENABLED_FIELD',
  'pbx.linkusEnabledField': 'PBX_LINKUS_ENABLED_FIELD',
  'pbx.ssoIdentityField': 'PBX_SSO_IDENTITY_FIELD',
  temporalUiUrl: 'TEMPORAL_UI_URL',
  'notifications.publicUrl': 'GRAPH_NOTIFICATION_URL',
  'notifications.listenPort': 'GRAPH_NOTIFICATION_PORT',
  'notifications.clientState': 'GRAPH_NOTIFICATION_CLIENT_STATE',
  'notifications.bindAddress': 'GRAPH_NOTIFICATION_BIND',
} as const;

export type ConfigKey = keyof typeof ENV_KEYS;

const secret = z
  .string({ error: 'required' })
  .min(1, 'must not be empty')
  .transform((value) => new Secret(value));

const httpsUrl = z
  .url({ protocol: /^https$/, error: 'expected an https:// URL' })
  .transform((value) => value.replace(/\/+$/, ''));

const httpUrl = z
  .url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' })
  .transform((value) => value.replace(/\/+$/, ''));

const tenantId = z
  .string({ error: 'required' })
  .regex(
    /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9.-]+\.[a-z]{2,})$/i,
    'expected the directory (tenant) id as a GUID or a verified domain name',
  );

const clientId = z
  .string({ error: 'required' })
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    'expected the application (client) id GUID',
  );

const filePath = z.string().min(1, 'must not be empty');

export const graphSchema = z
  .object({
    tenantId,
    clientId,
    clientSecret: secret.optional(),
    certificatePath: filePath.optional(),
    authorityHost: httpsUrl.default('https://login.microsoftonline.com'),
    graphBaseUrl: httpsUrl.default('https://graph.microsoft.com'),
    caFile: filePath.optional(),
  })
  .superRefine((graph, ctx) => {
    if (!graph.clientSecret === !graph.certificatePath) {
      ctx.addIssue({
        code: 'custom',
        path: ['clientSecret'],
        message:
          'set exactly one of graph.clientSecret (ENTRA_CLIENT_SECRET) or graph.certificatePath (ENTRA_CLIENT_CERTIFICATE_PATH)',
      });
    }
  });

/**
 * The client secret goes to the PBX in get_token: over http:// only to this machine (the simulator), or when
 * the operator says the network is trusted (a Software/Appliance PBX on the LAN serves http by default).
 */
export const pbxSchema = z
  .object({
    baseUrl: httpUrl,
    clientId: z.string({ error: 'required' }).min(1, 'must not be empty'),
    clientSecret: secret,
    caFile: filePath.optional(),
    allowInsecureHttp: z
      .union([z.boolean(), z.stringbool()], { error: 'expected true or false' })
      .default(false),
    /** PBX variant: the Open API documents no field to disable an extension or to switch Linkus; name them here. */
    extensionEnabledField: z.string().min(1).optional(),
    linkusEnabledField: z.string().min(1).optional(),
    ssoIdentityField: z.string().min(1).optional(),
    maxConcurrentRequests: z.coerce.number().int().min(1).max(64).optional(),
  })
  .superRefine((pbx, ctx) => {
    // Runs even when the URL check above failed (that issue is reported already).
    if (!URL.canParse(pbx.baseUrl)) return;
    const url = new URL(pbx.baseUrl);
    const loopback = LOOPBACK_HOSTS.has(url.hostname) || url.hostname === '[::1]';
    if (url.protocol === 'http:' && !loopback && !pbx.allowInsecureHttp)
      ctx.addIssue({
        code: 'custom',
        path: ['baseUrl'],
        message:
          'expected https:// (http:// only for 127.0.0.1/localhost, or set PBX_ALLOW_INSECURE_HTTP=true)',
      });
  });

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost']);

/**
 * Graph change notifications: all three settings or none. Graph delivers to `publicUrl` (https, e.g. a
 * TLS-terminating proxy in front of the receiver); the receiver listens on `listenPort`. http is accepted only
 * for 127.0.0.1/localhost, which only the simulator delivers to.
 */
export const notificationsSchema = z.object({
  publicUrl: z.url({ protocol: /^https?$/, error: 'expected an https:// URL' }).superRefine((value, ctx) => {
    if (!URL.canParse(value)) return;
    const url = new URL(value);
    if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname))
      ctx.addIssue({
        code: 'custom',
        message: 'expected an https:// URL (http:// only for 127.0.0.1 or localhost)',
      });
  }),
  listenPort: z.coerce
    .number({ error: 'expected a TCP port (0-65535)' })
    .int('expected a TCP port (0-65535)')
    .min(0, 'expected a TCP port (0-65535)')
    .max(65535, 'expected a TCP port (0-65535)'),
  clientState: z
    .string({ error: 'required' })
    .min(1, 'must not be empty')
    .max(128, 'at most 128 characters (a Graph limit)')
    .transform((value) => new Secret(value)),
  /** The address the receiver listens on: loopback unless set (a TLS proxy on the host forwards to it). */
  bindAddress: z.ipv4({ error: 'expected an IPv4 address, e.g. 127.0.0.1' }).default('127.0.0.1'),
});

export const taskQueueSchema = z.string().min(1, 'must not be empty').default('entra-pbx-sync');

export const workerConfigSchema = z.object({
  taskQueue: taskQueueSchema,
  graph: graphSchema,
  pbx: pbxSchema,
  /** The sync policy (scope, numbers, mapping, safety rails); config file only. */
  sync: syncPolicySchema.prefault({}),
  /** Graph change notifications; without them the directory watcher only polls. */
  notifications: notificationsSchema.optional(),
});

export const clientConfigSchema = z.object({
  taskQueue: taskQueueSchema,
  // An absent `graph` is parsed as empty, so the error names graph.tenantId (ENTRA_TENANT_ID), not `graph`.
  graph: z.object({ tenantId }).prefault({} as { tenantId: string }),
  /** Where operators open workflows; the CLI prints links to it. */
  temporalUiUrl: httpUrl.default('http://127.0.0.1:8233'),
});

export type GraphConfig = z.output<typeof graphSchema>;
export type PbxConfig = z.output<typeof pbxSchema>;
export type NotificationsConfig = z.output<typeof notificationsSchema>;
export type WorkerConfig = z.output<typeof workerConfigSchema>;
export type ClientConfig = z.output<typeof clientConfigSchema>;
