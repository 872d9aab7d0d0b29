/**
 * The mutation check's list (run by scripts/test-mutations.ts): small, realistic ways to break the product, each
 * with the claim it breaks and the test that names that claim. `find` must occur exactly once in `file`.
 */

/** A jest test file and, optionally, a `-t` regex for the test names to run (whole file without it). */
export interface TestRef {
  file: string;
  name?: string;
}

export interface Mutation {
  id: string;
  claim: string;
  /** Repository-relative path of the product file to break. */
  file: string;
  find: string;
  replace: string;
  test: TestRef | TestRef[];
  /** Extra environment for the test runs, with and without the mutation. */
  env?: Record<string, string>;
}

const USERS_READ = `  const users = await readAll((cursor) => graph.readUsersPage(cursor ? { cursor } : {}), onPage);
`;

export const mutations: Mutation[] = [
  {
    id: 'later-page-failure',
    claim: 'a failed read offboards nobody',
    file: 'activities/sync/read-directory.ts',
    find: USERS_READ,
    // A page that fails after the first one ends the read with the users read so far.
    replace: `  const users: DirectoryUser[] = [];
  let cursor: string | undefined;
  do {
    let page: Awaited<ReturnType<GraphSource['readUsersPage']>>;
    try {
      page = await graph.readUsersPage(cursor ? { cursor } : {});
    } catch (error) {
      if (users.length === 0) throw error;
      break;
    }
    users.push(...page.items);
    onPage();
    cursor = page.nextCursor;
  } while (cursor);
`,
    test: { file: 'test/offboarding.test.ts', name: 'failed.*read|read.*fail' },
  },
  {
    id: 'ledger-ignores-quarantine',
    claim: 'a freed number is held for its user',
    file: 'model/link-table.ts',
    find: `      numbers.quarantined[entity.number] = { releasedAt: now, owner: entity.objectId };
`,
    replace: '',
    test: { file: 'test/offboarding.test.ts', name: 'quarantin|number is held' },
  },
  {
    id: 'poke-does-nothing',
    claim: 'a poke runs a round now',
    file: 'workflows/directory-watcher.ts',
    find: `  setHandler(pokeDirectorySignal, () => {
    watcher.poked = true;
  });`,
    replace: `  setHandler(pokeDirectorySignal, () => undefined);`,
    test: { file: 'test/delta-sync.test.ts', name: 'poke' },
  },
  {
    id: 'receiver-wrong-workflow',
    claim: 'notifications wake the watcher',
    file: 'worker/notifications.ts',
    find: 'getHandle(directoryWatcherWorkflowId(options.tenantId))',
    replace: `getHandle(directoryWatcherWorkflowId(options.tenantId + 'x'))`,
    test: [
      { file: 'test/delta-notifications.test.ts', name: 'notifications on' },
      { file: 'test/delta-sync.test.ts', name: 'receiver' },
    ],
  },
  {
    id: 'ensure-rewrites-everything',
    claim: 'updates change only differing fields; replays write nothing',
    file: 'activities/sync/extension-activities.ts',
    find: 'const fields = new Set(changes.map((c) => c.field));',
    // Every extension field is patched, whatever the diff says.
    replace: `const fields = new Set<string>([
      ...changes.map((c) => c.field),
      'firstName',
      'lastName',
      'email',
      'mobile',
      'title',
    ]);`,
    test: [
      { file: 'test/delta-sync.test.ts', name: 'replay' },
      { file: 'test/cli.test.ts', name: 'resync' },
    ],
  },
  {
    id: 'guests-dropped',
    claim: 'the 2,000-user tenant syncs completely',
    file: 'activities/sync/read-directory.ts',
    find: USERS_READ,
    replace: `  const users = (await readAll((cursor) => graph.readUsersPage(cursor ? { cursor } : {}), onPage)).filter(
    (user) => user.userType !== 'Guest',
  );
`,
    test: { file: 'test/full-sync.test.ts' },
  },
  {
    id: 'guard-ignores-deletes',
    claim: 'a mass delete waits for approval as a mass disable does',
    file: 'model/guard.ts',
    find: `  const count = wouldOffboard.length;
`,
    replace: `  const count = plan.disables.length;
`,
    test: { file: 'test/model-guard.test.ts', name: 'deletes alone' },
  },
  {
    id: 'missing-extension-unconfirmed',
    claim: 'an extension missing from a short PBX list is confirmed before a delete is planned',
    file: 'activities/sync/pbx-snapshot.ts',
    find: `    if (seen.has(id)) continue;
`,
    replace: `    if (seen.has(id) || !seen.has(id)) continue;
`,
    test: { file: 'test/offboarding-guards.test.ts', name: 'cut short' },
  },
  {
    id: 'deleted-group-ignored',
    claim: 'an unreadable scope group puts nobody out of scope',
    file: 'activities/sync/read-directory.ts',
    find: `  if (missing.length > 0) throw chosenGroupsUnreadable(policy, missing);
`,
    replace: '',
    test: { file: 'test/offboarding-guards.test.ts', name: 'deleted scope group' },
  },
  {
    id: 'disable-keeps-passwords',
    claim: 'a disabled user loses phone access at once',
    file: 'activities/sync/extension-activities.ts',
    find: `      await pbx.replaceCredentials(extensionId);
`,
    replace: '',
    test: { file: 'test/offboarding-access.test.ts', name: 'only the documented fields' },
  },
  {
    id: 'rejected-login-retried',
    claim: 'a rejected PBX login is not retried in a loop (no IP block)',
    file: 'activities/pbx/yeastar/login-lockout.ts',
    find: `    return r && Date.now() < r.retryAt ? failure(r) : undefined;
`,
    replace: `    return undefined;
`,
    test: { file: 'test/pbx-adapter-login.test.ts', name: 'rotated secret' },
  },
  {
    id: 'other-tenant-accepted',
    claim: 'one worker, one tenant',
    file: 'activities/index.ts',
    find: `  if (asked === served) return;
`,
    replace: `  if (asked === served || asked !== served) return;
`,
    test: { file: 'test/hardening-tenant.test.ts', name: 'another tenant' },
  },
  {
    id: 'full-sync-steps-reordered',
    claim: 'a change to workflow code still replays the histories recorded before it',
    file: 'workflows/full-sync.ts',
    find: `  progress.convergence = await awaitConvergence({
    tenantId,
    syncRunId,
    expected: plan.dispatched + offboarded,
  });

  enter('groups');
  progress.groups = await syncGroups({ tenantId });
`,
    // Groups first, then the wait for the users: the two activities swap places.
    replace: `  progress.groups = await syncGroups({ tenantId });
  progress.convergence = await awaitConvergence({
    tenantId,
    syncRunId,
    expected: plan.dispatched + offboarded,
  });

  enter('groups');
`,
    test: { file: 'test/replay.test.ts', name: 'full-sync' },
  },
  {
    id: 'user-entity-wait-added',
    claim: 'a change to workflow code still replays the histories recorded before it',
    file: 'workflows/user-lifecycle.ts',
    find: `    try {
      const result = await pbx.ensureExtension({
`,
    // A settling pause before each PBX write, added without patched().
    replace: `    await condition(() => false, '1 second');
    try {
      const result = await pbx.ensureExtension({
`,
    test: { file: 'test/replay.test.ts', name: 'user-' },
  },
];
