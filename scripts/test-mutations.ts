/**
 * ## Mutation check
 *
 * A test suite that passes proves little unless it fails when the product is wrong. `npm run test:mutations`
 * breaks the product in small, realistic ways, listed in `scripts/mutations.ts` (each with the claim it breaks,
 * e.g. "a failed read offboards nobody", and the test that names that claim), and shows that the test catches
 * each one.
 *
 * For every mutation it copies the working tree (tracked and untracked files, uncommitted changes included; not
 * ignored ones) into a scratch directory with a symlink to `node_modules`, runs the named test there once as is,
 * then replaces the mutation's `find` text (which must occur exactly once) with its `replace` text, checks that
 * the copy still typechecks (no type errors beyond those the unmutated copy has), and runs the test again. Each
 * jest run starts its own Temporal dev server, like `npm run test:jest`. Mutations run one after another.
 *
 * ```bash
 * npm run test:mutations                          # all mutations (~25 minutes on 2 cores)
 * npm run test:mutations -- --only guests-dropped # one mutation
 * npm run test:mutations -- --keep                # keep the scratch copies to look into
 * ```
 *
 * It prints one row per mutation and test:
 *
 * - `caught`: the test fails with the mutation: it guards its claim.
 * - `missed`: the test still passes with the product broken: the claim is not really tested.
 * - `red baseline`: the test already fails without the mutation (flaky, broken, or it needs an earlier test).
 * - `broken: …`: the mutation no longer applies (its `find` text is gone or ambiguous, or the mutated copy does
 *   not typecheck), or no test matches the name; update `scripts/mutations.ts`.
 * - `error: …`: jest gave no result (e.g. the Temporal dev server did not start, or the run timed out).
 *
 * `seconds` is the row's wall time: both test runs, and for a mutation's first row its copy and typecheck. The
 * exit code is non-zero unless every row is `caught`. Logs of each run are in `<scratch>/.mutation/` (`--keep`).
 */
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  readlink,
  rm,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { mutations, type Mutation, type TestRef } from './mutations.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const JEST_TIMEOUT_MS = 30 * 60_000;

interface Row {
  mutation: string;
  claim: string;
  test: string;
  result: string;
  seconds: number;
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const describeTest = (t: TestRef) => (t.name === undefined ? t.file : `${t.file} -t "${t.name}"`);
const testsOf = (m: Mutation): TestRef[] => (Array.isArray(m.test) ? m.test : [m.test]);

/** The working tree as git sees it (tracked and untracked, not ignored) into `dest`, with `node_modules`. */
async function copyWorkingTree(dest: string): Promise<void> {
  const listing = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT });
  const files = [...new Set(listing.toString('utf8').split('\0').filter(Boolean))];
  for (const file of files) {
    const from = join(ROOT, file);
    const to = join(dest, file);
    const stat = await lstat(from).catch(() => undefined); // tracked but deleted in the working tree
    if (!stat) continue;
    await mkdir(dirname(to), { recursive: true });
    if (stat.isSymbolicLink()) await symlink(await readlink(from), to);
    else await copyFile(from, to);
  }
  await symlink(join(ROOT, 'node_modules'), join(dest, 'node_modules'));
}

interface Exit {
  code: number | null;
  timedOut: boolean;
}

let running: ReturnType<typeof spawn> | undefined;

/** Runs `node args` in `cwd` in a process group of its own, output to `logFile`. */
function run(cwd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, timeoutMs: number) {
  return new Promise<Exit>((done, fail) => {
    const out = createWriteStream(logFile);
    const child = spawn(process.execPath, args, {
      cwd,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running = child;
    child.stdout.pipe(out, { end: false });
    child.stderr.pipe(out, { end: false });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child);
    }, timeoutMs);
    child.once('error', fail);
    // Whatever the run left behind (a dev server, a worker) goes with it.
    child.once('exit', () => killGroup(child));
    child.once('close', (code) => {
      clearTimeout(timer);
      running = undefined;
      out.end(() => done({ code, timedOut }));
    });
  });
}

function killGroup(child: ReturnType<typeof spawn>): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Type errors of the copy, without positions (a mutation moves lines), as a multiset. */
async function typeErrors(dir: string): Promise<Map<string, number>> {
  const tsc = join('node_modules', 'typescript', 'bin', 'tsc');
  const logFile = join(dir, '.mutation', 'tsc.log');
  const args = [tsc, '--noEmit', '--pretty', 'false', '--incremental'];
  await run(
    dir,
    [...args, '--tsBuildInfoFile', join(dir, '.mutation', 'tsbuildinfo')],
    process.env,
    logFile,
    600_000,
  );
  const errors = new Map<string, number>();
  for (const line of (await readFile(logFile, 'utf8')).split('\n')) {
    const match = /^(.+?)\(\d+,\d+\): (error TS\d+: .*)$/.exec(line);
    if (!match) continue;
    const key = `${match[1]}: ${match[2]}`;
    errors.set(key, (errors.get(key) ?? 0) + 1);
  }
  return errors;
}

interface JestReport {
  numPassedTests: number;
  numFailedTests: number;
  numRuntimeErrorTestSuites: number;
  testResults: { message: string; assertionResults: { fullName: string; status: string }[] }[];
}

type JestOutcome =
  { kind: 'passed' | 'failed' | 'none'; failures: string[] } | { kind: 'error'; reason: string };

async function runJest(dir: string, test: TestRef, env: Record<string, string>, label: string) {
  const logFile = join(dir, '.mutation', `${label}.log`);
  const jsonFile = join(dir, '.mutation', `${label}.json`);
  const args = [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    join('node_modules', 'jest', 'bin', 'jest.js'),
    test.file,
    ...(test.name === undefined ? [] : ['-t', test.name]),
    '--json',
    `--outputFile=${jsonFile}`,
  ];
  const exit = await run(dir, args, { ...process.env, ...env }, logFile, JEST_TIMEOUT_MS);
  const outcome = await jestOutcome(exit, jsonFile);
  if (outcome.kind === 'error' || outcome.failures.length > 0) {
    log(`  ${label}: ${outcome.kind === 'error' ? outcome.reason : outcome.failures.join('; ')}`);
    if (outcome.kind === 'error') log(tail(await readFile(logFile, 'utf8'), 30));
  }
  return outcome;
}

async function jestOutcome(exit: Exit, jsonFile: string): Promise<JestOutcome> {
  if (exit.timedOut) return { kind: 'error', reason: `timed out after ${JEST_TIMEOUT_MS / 60_000} min` };
  const text = await readFile(jsonFile, 'utf8').catch(() => undefined);
  if (text === undefined) return { kind: 'error', reason: `jest exited ${exit.code} without a report` };
  const report = JSON.parse(text) as JestReport;
  const failures = report.testResults.flatMap((file) => [
    ...file.assertionResults.filter((a) => a.status === 'failed').map((a) => `failed: ${a.fullName}`),
    ...(file.assertionResults.length === 0 && file.message
      ? [`suite failed: ${firstLine(file.message)}`]
      : []),
  ]);
  if (report.numFailedTests > 0 || report.numRuntimeErrorTestSuites > 0 || exit.code !== 0)
    return { kind: 'failed', failures: failures.length > 0 ? failures : [`jest exited ${exit.code}`] };
  return { kind: report.numPassedTests > 0 ? 'passed' : 'none', failures };
}

const firstLine = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .find(Boolean) ?? '';
const tail = (text: string, lines: number) => text.split('\n').slice(-lines).join('\n');

/** Occurrences of `find` in `text`. */
const occurrences = (text: string, find: string) => (find === '' ? 0 : text.split(find).length - 1);

/** Type errors the mutation adds, or none. */
async function newTypeErrors(dir: string, target: string, original: string, mutated: string) {
  await writeFile(target, mutated);
  const withMutation = await typeErrors(dir);
  if (withMutation.size === 0) return [];
  await writeFile(target, original);
  const without = await typeErrors(dir);
  return [...withMutation]
    .filter(([error, count]) => count > (without.get(error) ?? 0))
    .map(([error]) => error);
}

async function check(m: Mutation, dir: string): Promise<Row[]> {
  let started = Date.now();
  const tests = testsOf(m);
  const row = (test: TestRef, result: string): Row => {
    const seconds = Math.round((Date.now() - started) / 1000);
    started = Date.now();
    return { mutation: m.id, claim: m.claim, test: describeTest(test), result, seconds };
  };
  /** One result for every test; the time so far goes to the first. */
  const allRows = (result: string) => tests.map((test) => row(test, result));

  log(`[${m.id}] copying the working tree to ${dir}`);
  await copyWorkingTree(dir);
  await mkdir(join(dir, '.mutation'));
  const target = join(dir, m.file);
  const original = await readFile(target, 'utf8').catch(() => undefined);
  if (original === undefined) return allRows(`broken: ${m.file} not found`);
  const found = occurrences(original, m.find);
  if (found !== 1) return allRows(`broken: find text occurs ${found} times in ${m.file}`);
  const mutated = original.replace(m.find, () => m.replace);

  log(`[${m.id}] typecheck with the mutation`);
  const errors = await newTypeErrors(dir, target, original, mutated);
  if (errors.length > 0) {
    log(errors.map((e) => `  ${e}`).join('\n'));
    return allRows(`broken: does not typecheck (${errors.length} new errors)`);
  }

  const rows: Row[] = [];
  for (const [i, test] of tests.entries()) {
    const label = `${i + 1}-${test.file.replace(/\W+/g, '_')}`;
    await writeFile(target, original);
    log(`[${m.id}] without the mutation: ${describeTest(test)}`);
    const baseline = await runJest(dir, test, m.env ?? {}, `${label}-baseline`);
    if (baseline.kind === 'error') {
      rows.push(row(test, `error: baseline ${baseline.reason}`));
      continue;
    }
    if (baseline.kind === 'none') {
      rows.push(row(test, 'broken: no test matches the name'));
      continue;
    }
    if (baseline.kind === 'failed') {
      rows.push(row(test, 'red baseline'));
      continue;
    }
    await writeFile(target, mutated);
    log(`[${m.id}] with the mutation: ${describeTest(test)}`);
    const outcome = await runJest(dir, test, m.env ?? {}, `${label}-mutated`);
    const result =
      outcome.kind === 'error'
        ? `error: ${outcome.reason}`
        : outcome.kind === 'failed'
          ? 'caught'
          : outcome.kind === 'passed'
            ? 'missed'
            : 'broken: no test matches the name';
    rows.push(row(test, result));
    log(`[${m.id}] ${result}`);
  }
  return rows;
}

function table(rows: Row[]): string {
  const header = ['mutation', 'claim', 'test', 'result', 'seconds'];
  const cells = rows.map((r) =>
    [r.mutation, r.claim, r.test, r.result, String(r.seconds)].map((cell) => cell.replaceAll('|', '\\|')),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `| ${c.map((cell, i) => cell.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { only: { type: 'string' }, keep: { type: 'boolean', default: false } },
  });
  const chosen = values.only === undefined ? mutations : mutations.filter((m) => m.id === values.only);
  if (chosen.length === 0) {
    log(`no mutation ${values.only}; known: ${mutations.map((m) => m.id).join(', ')}`);
    return 2;
  }

  const rows: Row[] = [];
  let scratch: string | undefined;
  const removeScratch = async () => {
    if (scratch && !values.keep) await rm(scratch, { recursive: true, force: true });
    else if (scratch) log(`kept ${scratch}`);
    scratch = undefined;
  };
  process.once('SIGINT', () => {
    if (running) killGroup(running);
    void removeScratch().then(() => process.exit(130));
  });

  for (const m of chosen) {
    const started = Date.now();
    scratch = await mkdtemp(join(tmpdir(), `mutation-${m.id}-`));
    try {
      rows.push(...(await check(m, scratch)));
    } catch (error) {
      rows.push(
        ...testsOf(m).map((test) => ({
          mutation: m.id,
          claim: m.claim,
          test: describeTest(test),
          result: `error: ${error instanceof Error ? error.message : String(error)}`,
          seconds: secondsSince(started),
        })),
      );
    } finally {
      await removeScratch();
    }
  }

  console.log(table(rows));
  return rows.every((r) => r.result === 'caught') ? 0 : 1;
}

const secondsSince = (start: number) => Math.round((Date.now() - start) / 1000);

process.exitCode = await main();
