import { Context } from '@temporalio/activity';
import { GraphSource } from '../activities/graph/index.js';
import { connectYeastar } from '../activities/pbx/index.js';
import type { ActivityDeps } from '../activities/index.js';
import type { WorkerConfig } from '../config/index.js';

export interface WorkerDependencies extends ActivityDeps {
  close(): Promise<void>;
}

/** One Graph client and one PBX client per worker process, shared by every activity. */
export function buildDependencies(config: WorkerConfig): WorkerDependencies {
  const { graph: graphConfig, pbx: pbxConfig } = config;
  const graph = new GraphSource({
    tenantId: graphConfig.tenantId,
    clientId: graphConfig.clientId,
    auth: graphConfig.clientSecret
      ? { kind: 'secret', clientSecret: graphConfig.clientSecret.reveal() }
      : { kind: 'certificate', certificatePath: graphConfig.certificatePath! },
    authorityHost: graphConfig.authorityHost,
    graphBaseUrl: graphConfig.graphBaseUrl,
    ...(graphConfig.caFile ? { caFile: graphConfig.caFile } : {}),
    signal: activityCancellationSignal,
  });
  const yeastar = connectYeastar({
    baseUrl: pbxConfig.baseUrl,
    clientId: pbxConfig.clientId,
    clientSecret: pbxConfig.clientSecret.reveal(),
    ...(pbxConfig.caFile ? { caFile: pbxConfig.caFile } : {}),
    ...(pbxConfig.extensionEnabledField ? { extensionEnabledField: pbxConfig.extensionEnabledField } : {}),
    ...(pbxConfig.linkusEnabledField ? { linkusEnabledField: pbxConfig.linkusEnabledField } : {}),
    ...(pbxConfig.ssoIdentityField ? { ssoIdentityField: pbxConfig.ssoIdentityField } : {}),
    ...(pbxConfig.maxConcurrentRequests ? { maxConcurrentRequests: pbxConfig.maxConcurrentRequests } : {}),
    signal: activityCancellationSignal,
  });
  const pbx = yeastar.directory;
  return {
    graph,
    pbx,
    policy: config.sync,
    tenantId: graphConfig.tenantId,
    ...(config.notifications
      ? {
          notifications: {
            notificationUrl: config.notifications.publicUrl,
            clientState: config.notifications.clientState,
          },
        }
      : {}),
    probes: {
      'Microsoft Graph': async () => {
        const page = await graph.readUsersPage();
        return `signed in to tenant ${graphConfig.tenantId}; first page holds ${page.items.length} users`;
      },
      PBX: async () => {
        const organizations = await pbx.listOrganizations();
        return `Open API at ${pbxConfig.baseUrl} answers (${organizations.length} organizations)`;
      },
    },
    close: () => yeastar.close(),
  };
}

/** The running activity's cancellation signal, so a cancelled activity stops its PBX request at once. */
function activityCancellationSignal(): AbortSignal | undefined {
  try {
    return Context.current().cancellationSignal;
  } catch {
    // Called outside an activity: no context, nothing to cancel.
    return undefined;
  }
}
