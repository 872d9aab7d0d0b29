import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startDevServer, type DevServer } from '../harness/temporal-dev-server.js';
import { freePort } from '../harness/ports.js';

let server: DevServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function withClient<T>(address: string, action: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address });
  try {
    return await action(new Client({ connection }));
  } finally {
    await connection.close();
  }
}

test('the dev server keeps workflow history in its SQLite file across a restart, and serves the Web UI', async () => {
  const dbFile = join(mkdtempSync(join(tmpdir(), 'temporal-dev-')), 'dev.sqlite');
  const port = await freePort();
  const uiPort = await freePort();
  const workflowId = 'persisted/health-check';

  server = await startDevServer({ dbFile, port, uiPort });
  await withClient(server.address, (client) =>
    client.workflow.start('healthCheck', { taskQueue: 'nobody-polls-this', workflowId }),
  );
  await server.stop();

  server = await startDevServer({ dbFile, port, uiPort });
  const description = await withClient(server.address, (client) =>
    client.workflow.getHandle(workflowId).describe(),
  );
  expect(description.type).toBe('healthCheck');
  expect(description.status.name).toBe('RUNNING');

  const ui = await fetch(server.uiUrl!);
  expect(ui.status).toBe(200);
  expect(await ui.text()).toContain('<html');
});
