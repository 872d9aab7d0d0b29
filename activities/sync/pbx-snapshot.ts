import type { PbxDirectory, PbxExtension, PbxExtensionGroup, PbxOrganization } from '../pbx/index.js';
import type { ExistingExtension } from '../../model/index.js';

export interface PbxSnapshot {
  extensions: ExistingExtension[];
  organizations: PbxOrganization[];
  extensionGroups: PbxExtensionGroup[];
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

/** Every extension in full detail (bulk reads, not one request per extension), organizations and groups. */
export async function readPbxSnapshot(pbx: PbxDirectory, onBatch: () => void): Promise<PbxSnapshot> {
  const organizations = await pbx.listOrganizations();
  const organizationNames = new Map(
    organizations.filter((o) => o.parentId !== undefined).map((o) => [o.id, o.name]),
  );
  const ids: string[] = [];
  for await (const summary of pbx.listExtensions()) ids.push(summary.id);
  const extensions: ExistingExtension[] = [];
  for (let start = 0; start < ids.length; start += DETAIL_BATCH) {
    const details = await pbx.getExtensions(ids.slice(start, start + DETAIL_BATCH));
    extensions.push(...details.map((detail) => toExistingExtension(detail, organizationNames)));
    onBatch();
  }
  return { extensions, organizations, extensionGroups: await pbx.listExtensionGroups() };
}
