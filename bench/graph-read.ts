/**
 * Generates a 10,000-user tenant in the Graph simulator and reads it fully through the Graph source
 * adapter (real @azure/identity credential + real Graph client). Usage: npx tsx bench/graph-read.ts [users]
 */
import { GraphSource, pages } from '../activities/graph/index.js';
import { startGraphSimulator } from '../simulators/graph/index.js';

const userCount = Number(process.argv[2] ?? 10_000);
const sim = await startGraphSimulator({});
const generated = sim.control.generateTenant({ users: userCount, seed: 2024 });
console.log(
  `generated ${generated.liveUsers} users, ${generated.groups} groups in ${generated.elapsedMs} ms`,
);

const source = new GraphSource({
  tenantId: sim.tenantId,
  clientId: sim.defaultApp.clientId,
  auth: { kind: 'secret', clientSecret: sim.defaultApp.clientSecret },
  authorityHost: sim.authorityHost,
  graphBaseUrl: sim.graphBaseUrl,
  caFile: sim.caCertPath,
});

async function timed(label: string, run: () => Promise<string>): Promise<void> {
  sim.control.resetCounters();
  const started = performance.now();
  const summary = await run();
  const ms = Math.round(performance.now() - started);
  const { total, byEndpoint } = sim.control.counters();
  console.log(`${label}: ${summary} in ${ms} ms, ${total} requests ${JSON.stringify(byEndpoint)}`);
}

await timed('users (list, $top=999)', async () => {
  let n = 0;
  for await (const page of pages((cursor) => source.readUsersPage(cursor ? { cursor } : {})))
    n += page.length;
  return `${n} users`;
});

await timed('groups + transitive members', async () => {
  let groups = 0;
  let memberships = 0;
  for await (const page of pages((cursor) => source.readGroupsPage(cursor ? { cursor } : {}))) {
    for (const group of page) {
      groups++;
      for await (const members of pages((cursor) =>
        source.readGroupMembersPage(group.id, { transitive: true, ...(cursor ? { cursor } : {}) }),
      ))
        memberships += members.length;
    }
  }
  return `${groups} groups, ${memberships} transitive memberships`;
});

await timed('users delta (initial round)', async () => {
  let changes = 0;
  for (let cursor: string | undefined, done = false; !done;) {
    const page = await source.deltaPage('users', cursor);
    changes += page.changes.length;
    cursor = page.nextCursor;
    done = !cursor;
  }
  return `${changes} changes`;
});

await timed('presence (650 per call)', async () => {
  const ids = sim.control.listUsers().map((u) => u.id);
  let n = 0;
  for (let i = 0; i < ids.length; i += 650)
    n += (await source.presence.getPresences(ids.slice(i, i + 650))).length;
  return `${n} presences`;
});

await sim.stop();
