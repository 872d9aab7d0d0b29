import { ApplicationFailure } from '@temporalio/common';
import { SyncFailure } from '../../contracts/index.js';
import type { PbxDirectory, PbxExtension, PbxExtensionGroup, PbxId, PbxOrganization } from '../pbx/index.js';
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
 * pages; the adapter's request limiter still caps how many reach the PBX at once. Every linked extension the
 * list leaves out is confirmed gone (see `confirmMissing`), so the plan may take its absence as a deletion.
 */
export async function readPbxSnapshot(
  pbx: PbxDirectory,
  linkedIds: Iterable<PbxId>,
  onBatch: () => void,
): Promise<PbxSnapshot> {
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
  await confirmMissing(pbx, extensions, linkedIds, onBatch);
  return { extensions, organizations, extensionGroups: await pbx.listExtensionGroups() };
}

/**
 * A well-formed list can still be short (a page answered empty, rows lost between pages), and a linked extension
 * it leaves out would be planned as deleted, its user offboarded. So each one is read directly; one that is there
 * after all fails the whole read (retryable) instead of planning from it. One at a time: a short list fails at
 * the first, and extensions an admin really deleted are few.
 */
async function confirmMissing(
  pbx: PbxDirectory,
  listed: readonly ExistingExtension[],
  linkedIds: Iterable<PbxId>,
  onRead: () => void,
): Promise<void> {
  const seen = new Set(listed.map((e) => e.id));
  for (const id of linkedIds) {
    if (seen.has(id)) continue;
    const found = await pbx.getExtension(id);
    onRead();
    if (found)
      throw ApplicationFailure.retryable(
        `the PBX extension list left out extension ${found.number} (id ${id}), which a direct read found: ` +
          `the list was incomplete, so nothing is planned from it`,
        SyncFailure.PbxReadIncomplete,
      );
  }
}
