import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const READY_LINE = 'worker: polling task queue';
const OUTPUT_LIMIT = 20_000;

export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** `worker/main.ts` in a process of its own, as an operator runs it (`npm run worker`). */
export interface WorkerProcess {
  pid: number;
  /** Resolves when the worker polls its task queue; rejects if it exits first. */
  ready: Promise<void>;
  /** Resolves when the process has exited, however it ended. */
  exited: Promise<WorkerExit>;
  /** True until the process has exited. */
  alive(): boolean;
  /** Sends `signal` (SIGKILL by default: a crash, no graceful shutdown) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<WorkerExit>;
  /** What the worker printed (the last 20,000 characters of stdout and stderr). */
  output(): string;
}

/**
 * Starts the worker with exactly `env` on top of this process's environment. `node --import tsx` runs the
 * worker in the spawned process itself (no wrapper process), so a signal reaches the worker and nothing else.
 */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const record = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_LIMIT);
  };
  child.stderr.on('data', record);

  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const exited = new Promise<WorkerExit>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  const ready = new Promise<void>((resolveReady, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      record(chunk);
      if (output.includes(READY_LINE)) resolveReady();
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`worker exited before polling (code ${code}, signal ${signal}):\n${output}`)),
    );
  });
  // A worker killed before it polled is normal in these tests; callers that care await `ready`.
  ready.catch(() => undefined);

  return {
    pid: child.pid!,
    ready,
    exited,
    alive: () => child.exitCode === null && child.signalCode === null,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    output: () => output,
  };
}
