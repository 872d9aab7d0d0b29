/**
 * What a delta round's pages said changed, in the form its heartbeat keeps (so a retry resumes mid-round).
 * The lists stay within the round's limit (`fullSyncAboveUsers`): past it the round hands everything to a full
 * sync anyway, so the ids are dropped and only a count goes on, and a bulk change of tens of thousands of
 * users never reaches Temporal's payload limit in the heartbeat details.
 */
export interface DeltaChangesState {
  /** Users the users delta reported (upserted or removed). */
  userIds: string[];
  /** `<group id>/<member id>`: a member added to or removed from a group (a user, or a group when removed). */
  groupMemberIds: string[];
  /** Groups added as members of a group: their members' membership changed. */
  nestedGroupIds: string[];
  removedGroupIds: string[];
  /**
   * Set once more ids (or group/member pairs) than the limit were seen: the lists above are then empty. `ids`
   * is how many distinct ids (or pairs, when more) were seen up to the limit, plus every id reported after it
   * (those are no longer told apart).
   */
  overThreshold?: { ids: number };
}

/**
 * Collects a delta round's changes up to `limit` distinct ids (users, group members and groups): one more and
 * it keeps only the count and the flag `over`. Pure, so its bound is unit-tested.
 */
export class DeltaChanges {
  readonly userIds = new Set<string>();
  readonly groupMemberIds = new Set<string>();
  readonly nestedGroupIds = new Set<string>();
  readonly removedGroupIds = new Set<string>();
  /** Every distinct id in the sets above (a member id once, whichever groups it changed in). */
  private readonly ids = new Set<string>();
  private overCount: number | undefined;

  constructor(
    private readonly limit: number,
    saved?: Partial<DeltaChangesState>,
  ) {
    if (saved?.overThreshold) {
      this.overCount = saved.overThreshold.ids;
      return;
    }
    for (const id of saved?.userIds ?? []) this.addUser(id);
    for (const key of saved?.groupMemberIds ?? []) {
      const slash = key.indexOf('/');
      this.addMember(key.slice(0, slash), key.slice(slash + 1));
    }
    for (const id of saved?.nestedGroupIds ?? []) this.addNestedGroup(id);
    for (const id of saved?.removedGroupIds ?? []) this.addRemovedGroup(id);
  }

  /** True once more distinct ids than the limit were seen: the round plans nobody and runs a full sync. */
  get over(): boolean {
    return this.overCount !== undefined;
  }

  /** Distinct ids seen (past the limit: a lower bound on them, see `overThreshold`). */
  get count(): number {
    return this.overCount ?? this.ids.size;
  }

  addUser(id: string): void {
    this.add(id, () => this.userIds.add(id));
  }

  addMember(groupId: string, memberId: string): void {
    this.add(memberId, () => this.groupMemberIds.add(`${groupId}/${memberId}`));
  }

  addNestedGroup(id: string): void {
    this.add(id, () => this.nestedGroupIds.add(id));
  }

  addRemovedGroup(id: string): void {
    this.add(id, () => this.removedGroupIds.add(id));
  }

  /** The heartbeat form: at most `limit` ids and as many group/member pairs, or only the count. */
  state(): DeltaChangesState {
    return {
      userIds: [...this.userIds],
      groupMemberIds: [...this.groupMemberIds],
      nestedGroupIds: [...this.nestedGroupIds],
      removedGroupIds: [...this.removedGroupIds],
      ...(this.overCount !== undefined ? { overThreshold: { ids: this.overCount } } : {}),
    };
  }

  private add(id: string, keep: () => void): void {
    if (this.overCount !== undefined) {
      this.overCount++;
      return;
    }
    this.ids.add(id);
    keep();
    if (this.ids.size > this.limit || this.groupMemberIds.size > this.limit) this.overflow();
  }

  private overflow(): void {
    this.overCount = Math.max(this.ids.size, this.groupMemberIds.size);
    this.ids.clear();
    this.userIds.clear();
    this.groupMemberIds.clear();
    this.nestedGroupIds.clear();
    this.removedGroupIds.clear();
  }
}
