import type { PbxCreateResult, PbxExtensionGroup, PbxId } from '../pbx-directory.js';
import type { YeastarClient } from './yeastar-client.js';
import { createUnlessFound } from './yeastar-create.js';
import { ref, refId } from './yeastar-mapping.js';

type Row = Record<string, unknown>;

/** Extension groups (at most 63 per PBX); unique by name. */
export class YeastarExtensionGroups {
  constructor(private readonly client: YeastarClient) {}

  async list(): Promise<PbxExtensionGroup[]> {
    const out: PbxExtensionGroup[] = [];
    for await (const r of this.client.pages('extensiongroup/list', {}, 'extension group list')) {
      // The list row's shape is UNCONFIRMED: fetch the detail when it carries no members.
      const g = Array.isArray(r.members)
        ? r
        : ((await this.client.get('extensiongroup/get', { id: String(r.id) }, `extension group #${r.id}`))
            .data as Row);
      out.push({
        id: String(g.id),
        name: String(g.name),
        allExtensions: g.member_select === 'sel_all_ext',
        memberIds: Array.isArray(g.members) ? g.members.map(refId).filter((x): x is string => !!x) : [],
      });
    }
    return out;
  }

  create(input: { name: string; memberIds: PbxId[] }): Promise<PbxCreateResult> {
    return createUnlessFound(
      this.client,
      async () => (await this.list()).find((g) => g.name === input.name),
      'extensiongroup/create',
      { name: input.name, member_select: 'sel_specific', members: input.memberIds.map(ref) },
      `extension group "${input.name}"`,
    );
  }

  async update(id: PbxId, patch: { name?: string; memberIds?: PbxId[] }): Promise<void> {
    const body: Row = { id: Number(id) };
    if (patch.name !== undefined) body.name = patch.name;
    if (patch.memberIds)
      Object.assign(body, { member_select: 'sel_specific', members: patch.memberIds.map(ref) });
    await this.client.post('extensiongroup/update', body, `extension group ${patch.name ?? `#${id}`}`);
  }

  delete(id: PbxId): Promise<void> {
    return this.client.deleteIgnoringMissing('extensiongroup/delete', id, `extension group #${id}`);
  }
}
