import type { PbxCreateResult, PbxId, PbxOrganization } from '../pbx-directory.js';
import type { YeastarClient } from './yeastar-client.js';
import { createUnlessFound } from './yeastar-create.js';
import { refId } from './yeastar-mapping.js';

type Row = Record<string, unknown>;

/** Organizations (departments): a tree under the root organization; membership is set on the extension. */
export class YeastarOrganizations {
  private rootOrg: Promise<string | undefined> | undefined;

  constructor(private readonly client: YeastarClient) {}

  async list(): Promise<PbxOrganization[]> {
    const body = await this.client.get('organization/list', { is_all: 1 }, 'organization list');
    const out: PbxOrganization[] = [];
    const walk = (nodes: unknown, parentId?: string) => {
      for (const n of Array.isArray(nodes) ? (nodes as Row[]) : []) {
        const org: PbxOrganization = {
          id: String(n.id),
          name: String(n.name),
          memberIds: Array.isArray(n.ext_list) ? n.ext_list.map(String) : [],
        };
        if (parentId !== undefined) org.parentId = parentId;
        out.push(org);
        walk(n.children, org.id);
      }
    };
    walk(body.organization_list);
    return out;
  }

  /** The root organization's id, or undefined when Organization Management is off (70120). Cached. */
  rootId(): Promise<string | undefined> {
    this.rootOrg ??= this.client
      .attempt('GET', 'organization/list', { is_all: 2 }, 'organization list')
      .then((res) => {
        if (res.ok) return refId((res.body.organization_list as unknown[] | undefined)?.[0]) ?? '1';
        if (res.body?.errcode === 70120) return undefined;
        this.rootOrg = undefined;
        throw res.failure;
      });
    return this.rootOrg;
  }

  async create(input: { name: string; parentId?: PbxId }): Promise<PbxCreateResult> {
    const parentId = input.parentId ?? (await this.rootId());
    return createUnlessFound(
      this.client,
      async () => (await this.list()).find((o) => o.parentId === parentId && o.name === input.name),
      'organization/create',
      { name: input.name, parent_id: Number(parentId) },
      `organization "${input.name}"`,
    );
  }
}
