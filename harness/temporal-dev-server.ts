import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SearchAttributeType } from '@temporalio/common';
import { temporalCli } from './temporal-cli.js';
import { ALL_SEARCH_ATTRIBUTES } from '../contracts/index.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface DevServerOptions {
  /** SQLite file: workflow history survives restarts. */
  dbFile?: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  /** Drop the server's own error log (a run that restarts the server on purpose expects errors). */
  quiet?: boolean;
}

export interface DevServer {
  address: string;
  uiUrl: string | undefined;
  stop(): Promise<void>;
}

const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  TEXT: 'Text',
  KEYWORD: 'Keyword',
  INT: 'Int',
  DOUBLE: 'Double',
  BOOL: 'Bool',
  DATETIME: 'Datetime',
  KEYWORD_LIST: 'KeywordList',
};

function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolvePort, reject) => {
    const attempt = () => {
      if (child.exitCode !== null)
        return reject(new Error(`temporal server exited with code ${child.exitCode}`));
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolvePort();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline)
          reject(new Error(`temporal server did not listen on ${port} within ${timeoutMs} ms`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

/** Starts `temporal server start-dev` on 127.0.0.1 with the project's search attributes and a SQLite file. */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const port = options.port ?? 7233;
  const uiPort = options.uiPort ?? port + 1000;
  const dbFile = options.dbFile ?? resolve(REPO, '.data/temporal/dev.sqlite');
  mkdirSync(dirname(dbFile), { recursive: true });
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--db-filename',
    dbFile,
    // WAL + NORMAL: durable across a killed server process, far faster than the default journal.
    '--sqlite-pragma',
    'journal_mode=WAL',
    '--sqlite-pragma',
    'synchronous=NORMAL',
    '--log-level',
    'error',
    ...ALL_SEARCH_ATTRIBUTES.flatMap((key) => [
      '--search-attribute',
      `${key.name}=${CLI_TYPE_NAMES[key.type]}`,
    ]),
    ...(options.headless ? ['--headless'] : ['--ui-ip', '127.0.0.1', '--ui-port', String(uiPort)]),
  ];
  const child = spawn(temporalCli(), args, {
    stdio: ['ignore', 'ignore', options.quiet ? 'ignore' : 'inherit'],
  });
  // The server never outlives its owner, even one that exits abruptly (jest's forceExit, a crash).
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  await waitForPort(port, child, 60_000);
  return {
    address: `127.0.0.1:${port}`,
    uiUrl: options.headless ? undefined : `http://127.0.0.1:${uiPort}`,
    stop: () =>
      new Promise<void>((resolveStop) => {
        if (child.exitCode !== null) return resolveStop();
        child.once('exit', () => resolveStop());
        child.kill('SIGTERM');
      }),
  };
}
