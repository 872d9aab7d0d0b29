import type { PbxDirectory, PbxExtension, PbxExtensionGroup, PbxOrganization } from '../pbx/index.js';
import type { ExistingExtension } from '../../model/index.js';

export interface PbxSnapshot {
  extensions: ExistingExtension[];
  organizations: PbxOrganization[];
  extensionGroups: PbxExtensionGroup[];
}

/** Organization names by id, without the root: an extension only in the root has no organization. */
export function organizationNamesById(organizations: readonly PbxOrganization[]): Map<string, string> {
  return new Map(organizations.flatMap((o) => (o.parentId !== undefined ? [[o.id, o.name] as const] : [])));
}

export function toExistingExtension(
  extension: PbxExtension,
  organizationNames: ReadonlyMap<string, string>,
): ExistingExtension {
  return {
    id: extension.id,
    number: extension.number,
    firstName: extension.firstName,
    lastName: extension.lastName,
    email: extension.email ?? '',
    mobile: extension.mobile ?? '',
    title: extension.title ?? '',
    organizations: extension.organizationIds.flatMap((id) => organizationNames.get(id) ?? []),
    enabled: extension.enabled ?? true,
    ...(extension.ssoIdentity !== undefined ? { ssoIdentity: extension.ssoIdentity } : {}),
    ...(extension.linkusEnabled !== undefined ? { linkusEnabled: extension.linkusEnabled } : {}),
  };
}

const DETAIL_BATCH = 100;

/**
 * Every extension in full detail (bulk reads, not one request per extension), organizations and groups.
 * Each batch of details is requested as soon as its ids are listed, so detail reads overlap the remaining list
 * pages; the adapter's request limiter still caps how many reach the PBX at once.
 */
export async function readPbxSnapshot(pbx: PbxDirectory, onBatch: () => void): Promise<PbxSnapshot> {
  const organizations = await pbx.listOrganizations();
  const organizationNames = organizationNamesById(organizations);
  const batches: Promise<ExistingExtension[]>[] = [];
  let ids: string[] = [];
  const requestDetails = () => {
    const batch = pbx.getExtensions(ids).then((details) => {
      onBatch();
      return details.map((detail) => toExistingExtension(detail, organizationNames));
    });
    // Awaited below; until then a failure must not count as an unhandled rejection.
    batch.catch(() => undefined);
    batches.push(batch);
    ids = [];
  };
  for await (const summary of pbx.listExtensions()) {
    ids.push(summary.id);
    if (ids.length === DETAIL_BATCH) requestDetails();
  }
  if (ids.length > 0) requestDetails();
  const extensions = (await Promise.all(batches)).flat();
  return { extensions, organizations, extensionGroups: await pbx.listExtensionGroups() };
}
