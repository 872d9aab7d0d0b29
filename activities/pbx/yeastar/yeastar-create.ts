import type { PbxCreateResult } from '../pbx-directory.js';
import type { YeastarClient } from './yeastar-client.js';

/**
 * Creates an object that is unique by name unless `find` already finds it. A duplicate reply (40003) means
 * another caller created it meanwhile, or our own earlier create whose reply was lost: find it again.
 */
export async function createUnlessFound(
  client: YeastarClient,
  find: () => Promise<{ id: string } | undefined>,
  endpoint: string,
  body: Record<string, unknown>,
  object: string,
): Promise<PbxCreateResult> {
  const existing = await find();
  if (existing) return { id: existing.id, created: false };
  const res = await client.attempt('POST', endpoint, body, object);
  if (res.ok) return { id: String(res.body.id), created: true };
  const again = res.body?.errcode === 40003 ? await find() : undefined;
  if (again) return { id: again.id, created: false };
  throw res.failure;
}
