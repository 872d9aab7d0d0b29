import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError } from '../config/index.js';
import { connectOperatorClient, type OperatorClient } from './connect.js';
import {
  checkTimezone,
  installSchedule,
  parseTime,
  removeSchedule,
  showSchedule,
} from './commands/schedule.js';
import { deltaStatus, signalDelta, startDelta } from './commands/delta.js';
import { ping, status } from './commands/status.js';
import { decideOffboarding, startFullSync, syncStatus } from './commands/sync.js';
import { resyncUser, showUser, steerFailedDelete } from './commands/user.js';

/** Parses an option that takes a whole number of at least 1 (commander reports the error and exits). */
function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new InvalidArgumentError('expected a whole number, at least 1.');
  return parsed;
}

interface JsonOption {
  json?: boolean;
}

async function withClient(action: (client: OperatorClient) => Promise<string>): Promise<void> {
  const client = await connectOperatorClient();
  try {
    console.log(await action(client));
  } finally {
    await client.close();
  }
}

/** The messages of an error and its causes (Temporal wraps the one that matters: workflow → activity → cause). */
function describeError(error: unknown): string {
  const messages: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message && !messages.some((m) => m.includes(e.message))) messages.push(e.message);
  }
  return messages.join(': ') || String(error);
}

const jsonOption = () => new Option('--json', 'print the result as JSON (for scripts)');

const program = new Command()
  .name('entra-pbx-sync')
  .description('Operate entra-pbx-sync: start and steer its Temporal workflows')
  .showHelpAfterError();

program
  .command('ping')
  .description('check that Temporal answers')
  .addOption(jsonOption())
  .action((options: JsonOption) => withClient((client) => ping(client, options.json)));
program
  .command('status')
  .description('run a health check on a worker: can it reach Microsoft Graph and the PBX?')
  .addOption(jsonOption())
  .action((options: JsonOption) => withClient((client) => status(client, options.json)));

const sync = program.command('sync').description('full syncs: start, watch, approve or reject offboarding');
sync
  .command('full')
  .description('run a full sync of the tenant and show its progress, plan and result')
  .option('--dry-run', 'plan only: show what would change and write nothing')
  .option('--no-wait', 'start the run, print its id and return')
  .option('-v, --verbose', 'list every sampled user of each kind of problem, not only the first few')
  .addOption(jsonOption())
  .action((options: JsonOption & { dryRun?: boolean; wait: boolean; verbose?: boolean }) =>
    withClient((client) =>
      startFullSync(client, {
        dryRun: options.dryRun ?? false,
        wait: options.wait,
        json: options.json ?? false,
        verbose: options.verbose ?? false,
      }),
    ),
  );
for (const [name, approved] of [
  ['approve', true],
  ['reject', false],
] as const) {
  sync
    .command(`${name} [workflowId]`)
    .description(
      `${approved ? 'release' : 'cancel'} the offboarding a full sync holds for approval ` +
        "(default: the tenant's run that waits for it)",
    )
    .requiredOption('--by <name>', 'who decides (recorded in the run)')
    .option('--note <text>', 'why')
    .addOption(jsonOption())
    .action((workflowId: string | undefined, options: JsonOption & { by: string; note?: string }) =>
      withClient((client) =>
        decideOffboarding(
          client,
          workflowId,
          { approved, by: options.by, ...(options.note ? { note: options.note } : {}) },
          options.json ?? false,
        ),
      ),
    );
}
sync
  .command('status')
  .description("the tenant's running and last few full syncs")
  .option('--limit <n>', 'how many finished runs to list', positiveInteger, 5)
  .addOption(jsonOption())
  .action((options: JsonOption & { limit: number }) =>
    withClient((client) => syncStatus(client, { json: options.json ?? false, limit: options.limit })),
  );

const delta = sync
  .command('delta')
  .description('the directory watcher: delta rounds that bring Entra changes to the PBX within seconds');
delta
  .command('start')
  .description("start the tenant's directory watcher (a no-op when it runs)")
  .option('--interval <seconds>', 'seconds between rounds when not poked (default 30)', positiveInteger)
  .option(
    '--full-sync-above <users>',
    'a round with more changed users than this runs a full sync instead (default 500)',
    positiveInteger,
  )
  .addOption(jsonOption())
  .action((options: JsonOption & { interval?: number; fullSyncAbove?: number }) =>
    withClient((client) =>
      startDelta(client, {
        json: options.json ?? false,
        ...(options.interval ? { intervalSeconds: options.interval } : {}),
        ...(options.fullSyncAbove ? { fullSyncAboveUsers: options.fullSyncAbove } : {}),
      }),
    ),
  );
for (const [name, description] of [
  ['stop', 'stop the directory watcher (its cursors are lost: the next start re-baselines with a full sync)'],
  ['poke', 'run a delta round now'],
] as const) {
  delta
    .command(name)
    .description(description)
    .addOption(jsonOption())
    .action((options: JsonOption) =>
      withClient((client) => signalDelta(client, name, { json: options.json ?? false })),
    );
}
delta
  .command('status')
  .description('last round, changes applied, cursor age, full syncs started, last error')
  .addOption(jsonOption())
  .action((options: JsonOption) =>
    withClient((client) => deltaStatus(client, { json: options.json ?? false })),
  );

const user = program.command('user').description('one user: state, extension, resync, a refused delete');
user
  .command('show <user>')
  .description('a user by UPN or Entra object id: state, extension, last error, link to its workflow')
  .addOption(jsonOption())
  .action((who: string, options: JsonOption) =>
    withClient((client) => showUser(client, who, { json: options.json ?? false })),
  );
user
  .command('resync <user>')
  .description('re-apply one user (UPN or Entra object id) now and wait until the PBX has it')
  .option('--dry-run', 'plan only: show what would be done')
  .addOption(jsonOption())
  .action((who: string, options: JsonOption & { dryRun?: boolean }) =>
    withClient((client) =>
      resyncUser(client, who, { json: options.json ?? false, dryRun: options.dryRun ?? false }),
    ),
  );
const deleteCommand = user
  .command('delete <user>')
  .description(
    'a delete the PBX refused after the grace period (user show says so): try it again now, or stop retrying',
  )
  .addOption(new Option('--now', 'try the delete again now and wait for the outcome').conflicts('cancel'))
  .addOption(new Option('--cancel', 'stop retrying: the extension stays disabled and linked'))
  .addOption(jsonOption())
  .action((who: string, options: JsonOption & { now?: boolean; cancel?: boolean }) => {
    if (!options.now && !options.cancel) deleteCommand.error('error: say --now or --cancel');
    return withClient((client) =>
      steerFailedDelete(client, who, { action: options.now ? 'now' : 'cancel', json: options.json ?? false }),
    );
  });

const schedule = program.command('schedule').description('the daily full sync (a Temporal Schedule)');
schedule
  .command('install')
  .description('create or update the daily full-sync schedule (idempotent)')
  .option('--at <HH:MM>', 'time of day, 24-hour clock', '00:30')
  .option('--timezone <Area/City>', 'IANA time zone', 'UTC')
  .addOption(jsonOption())
  .action((options: JsonOption & { at: string; timezone: string }) => {
    parseTime(options.at);
    checkTimezone(options.timezone);
    return withClient((client) =>
      installSchedule(client, { at: options.at, timezone: options.timezone, json: options.json ?? false }),
    );
  });
schedule
  .command('show')
  .description('the schedule: time, policies, next and last runs')
  .addOption(jsonOption())
  .action((options: JsonOption) =>
    withClient((client) => showSchedule(client, { json: options.json ?? false })),
  );
schedule
  .command('remove')
  .description('delete the schedule (runs it started go on)')
  .addOption(jsonOption())
  .action((options: JsonOption) =>
    withClient((client) => removeSchedule(client, { json: options.json ?? false })),
  );

program.parseAsync().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : describeError(error));
  process.exit(error instanceof ConfigError ? 2 : 1);
});
