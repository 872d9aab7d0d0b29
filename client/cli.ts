import { Command } from 'commander';
import { ConfigError } from '../config/index.js';
import { connectOperatorClient, type OperatorClient } from './connect.js';
import { ping, status } from './commands/status.js';

async function withClient(action: (client: OperatorClient) => Promise<string>): Promise<void> {
  const client = await connectOperatorClient();
  try {
    console.log(await action(client));
  } finally {
    await client.close();
  }
}

const program = new Command()
  .name('entra-pbx-sync')
  .description('Operate entra-pbx-sync: start and steer its Temporal workflows')
  .showHelpAfterError();

program
  .command('ping')
  .description('check that Temporal answers')
  .action(() => withClient(ping));
program
  .command('status')
  .description('run a health check on a worker: can it reach Microsoft Graph and the PBX?')
  .action(() => withClient(status));

program.parseAsync().catch((error: unknown) => {
  console.error(
    error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error,
  );
  process.exit(error instanceof ConfigError ? 2 : 1);
});
