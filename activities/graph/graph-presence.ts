import { ApplicationFailure } from '@temporalio/common';
import { GraphFailure } from '../../contracts/index.js';
import type { Collection, GraphRequests } from './graph-requests.js';
import type { Presence } from './graph-types.js';

/** `getPresencesByUserId` takes at most this many ids per call. */
export const MAX_PRESENCE_IDS = 650;

/** Teams presence (the Teams presence capability, next: nothing runs this yet). */
export class GraphPresence {
  constructor(private readonly requests: GraphRequests) {}

  async getPresences(ids: readonly string[]): Promise<Presence[]> {
    if (ids.length > MAX_PRESENCE_IDS) {
      throw ApplicationFailure.nonRetryable(
        `getPresencesByUserId takes at most ${MAX_PRESENCE_IDS} ids, got ${ids.length}`,
        GraphFailure.BadRequest,
      );
    }
    if (ids.length === 0) return [];
    const res = await this.requests.send<
      Collection<{ id?: string; availability?: string; activity?: string }>
    >('POST', {
      url: '/communications/getPresencesByUserId',
      permission: 'Presence.Read.All',
      body: { ids },
    });
    return (res.value ?? []).map((p) => ({
      id: p.id ?? '',
      availability: p.availability ?? 'PresenceUnknown',
      activity: p.activity ?? 'PresenceUnknown',
    }));
  }
}
