import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startFullSync } from '../client/commands/sync.js';
import { formatUserReport, showUser, type UserReport } from '../client/commands/user.js';
import { describeWatcher } from '../client/commands/delta.js';
import type { OperatorClient } from '../client/connect.js';
import { describeProgress, formatPlan } from '../client/full-sync-output.js';
import { fields, printable, render, silentStream } from '../client/output.js';
import { loadClientConfig, loadWorkerConfig } from '../config/index.js';
import type { DirectoryWatcherState, FullSyncProgress } from '../contracts/index.js';
import { startSimulatedWorld, type SimulatedWorld } from '../harness/simulated-world.js';
import type { PlanSummary } from '../model/index.js';
import { startWorker, type RunningWorker } from '../worker/start-worker.js';
import { bundleWorkflows, connectTestEnv, uniqueTaskQueue } from './support/temporal.js';

/**
 * Directory and PBX values reach the operator's terminal escaped: a displayName or jobTitle carrying an
 * escape sequence (`\u001b[31m`), a C1 CSI or a bidi override shows as text instead of acting on the terminal.
 */
const ESC = '\u001b';
const RED = `${ESC}[31m`;
/** Anything a terminal would act on: C0 but newline, DEL, C1, bidi controls, line/paragraph separators. */
const RAW_CONTROL = /(?!\n)[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069\u2028\u2029]/u;

describe('printable', () => {
  it('writes control characters as escapes and leaves other text alone', () => {
    expect(printable(`${RED}Ada${ESC}[0m`)).toBe('\\u001b[31mAda\\u001b[0m');
    expect(printable('a\nb\r\tc\u009b2J\u007f')).toBe('a\\nb\\r\\tc\\u009b2J\\u007f');
    expect(printable('\u202Egnp.exe')).toBe('\\u202egnp.exe');
    expect(printable('Zoë Łukasiewicz 李 👩‍💻')).toBe('Zoë Łukasiewicz 李 👩‍💻');
  });

  it('render keeps its own line breaks and escapes the rest; JSON stays valid and free of raw controls', () => {
    const human = render({}, false, () => `line ${RED}one\nline two\u009b`);
    expect(human).toBe('line \\u001b[31mone\nline two\\u009b');
    const value = { name: `${RED}Ada\u009b\u202E` };
    const json = render(value, true, () => '');
    expect(json).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('fields escapes each value, a newline in it included', () => {
    expect(fields([['name', `Ada\n  forged  row${RED}`]])).toBe('  name  Ada\\n  forged  row\\u001b[31m');
  });
});

describe('operator output', () => {
  const report: UserReport = {
    workflowId: 'user/t/oid-1',
    runId: 'run',
    status: 'running',
    link: 'http://ui/user',
    source: 'query',
    state: {
      tenantId: 't',
      objectId: 'oid-1',
      userPrincipalName: `ada${ESC}]0;owned${ESC}\\@contoso.com`,
      phase: 'active',
      displayName: `Ada ${RED}Lovelace`,
      lastError: `ada: title "${RED}Boss" had characters the PBX rejects (U+001B)\nforged line`,
      link: { extensionId: '7', number: '1001' },
    },
    otherMatches: [],
  };

  it('user show prints names, titles and errors without a raw ESC byte', () => {
    const text = render(report, false, () => formatUserReport(report));
    expect(text).not.toContain(ESC);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('Ada \\u001b[31mLovelace');
    expect(text).toContain('\\nforged line');
    expect(text.split('\n').some((line) => line.startsWith('forged line'))).toBe(false);
  });

  const summary: PlanSummary = {
    counts: {
      creates: 1,
      updates: 1,
      adoptions: 0,
      disables: 1,
      deletes: 0,
      unchanged: 0,
      waitingForGrace: 0,
      errors: 1,
      notes: 0,
      extensionGroupCreates: 0,
      extensionGroupUpdates: 0,
      extensionGroupDeletes: 0,
      extensionGroupsSkipped: 0,
      organizationsToCreate: 0,
    },
    samples: {
      creates: [`ada@contoso.com → 1001 (${RED}Chief\u009b2J Engineer)`],
      updates: [`bob@contoso.com: title "${RED}Boss" → "Boss"`],
      adoptions: [],
      disables: [`Eve \u202Eliam`],
      deletes: [],
      errors: [`mal@contoso.com: firstName ${ESC}[2J is empty`],
      skippedGroups: [],
    },
  } as unknown as PlanSummary;

  it('plan samples and a held offboarding print without raw controls', () => {
    const plan = formatPlan(summary);
    expect(plan).not.toMatch(RAW_CONTROL);
    expect(plan).toContain('(\\u001b[31mChief\\u009b2J Engineer)');
    const progress = {
      phase: 'awaiting-approval',
      dryRun: false,
      plan: summary,
      guard: { allowed: false, wouldOffboard: [`Eve \u202Eliam${RED}`], message: `1 of 1 ${ESC}[K` },
      convergence: {
        expected: 1,
        applied: 0,
        unconfirmed: 0,
        failed: [{ userPrincipalName: `x${RED}@c.com`, error: `PBX said ${ESC}[5m` }],
      },
    } as unknown as FullSyncProgress;
    const text = render(progress, false, () => describeProgress(progress));
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).toContain('  - Eve \\u202eliam\\u001b[31m');
  });

  it('the watcher status prints its last error escaped', () => {
    const state = {
      phase: 'waiting',
      intervalSeconds: 30,
      rounds: 1,
      changesApplied: 0,
      changesSeen: 0,
      fullSyncsStarted: 1,
      lastError: { message: `Graph said ${RED}no`, at: '2026-01-01T00:00:00Z' },
    } as unknown as DirectoryWatcherState;
    expect(describeWatcher(state)).not.toMatch(RAW_CONTROL);
  });
});

describe('the CLI on a real worker and simulators', () => {
  let env: TestWorkflowEnvironment;
  let world: SimulatedWorld | undefined;
  let worker: RunningWorker | undefined;
  let dataDir: string | undefined;
  let operator: OperatorClient;

  beforeAll(async () => {
    env = await connectTestEnv();
    dataDir = await mkdtemp(join(tmpdir(), 'hardening-output-'));
    world = await startSimulatedWorld({ users: 4, dataDir, tenantId: randomUUID() });
    const configEnv = { ...world.env, ENTRA_PBX_TASK_QUEUE: uniqueTaskQueue('hardening-output') };
    worker = await startWorker(
      loadWorkerConfig(configEnv),
      { native: env.nativeConnection, client: env.client, namespace: env.namespace ?? 'default' },
      { workflowBundle: await bundleWorkflows() },
    );
    operator = {
      client: env.client,
      config: loadClientConfig(configEnv),
      address: 'test',
      close: async () => {},
    };
  }, 120_000);

  afterAll(async () => {
    await worker?.stop();
    await world?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    await env?.teardown();
  });

  it('sync full and user show print a user whose displayName, jobTitle and mobile carry escape sequences without a raw ESC', async () => {
    const graph = world!.graph.control;
    const [user] = graph.listUsers().filter((u) => u.accountEnabled);
    graph.updateUser(user!.id, {
      displayName: `Ada ${RED}Lovelace`,
      jobTitle: `${RED}Chief${ESC}[0m Engineer`,
      // Not a phone number: the mapping reports it, with the value, on the user (a plan error and user show).
      mobilePhone: `${ESC}]0;owned${ESC}\\ call ${RED}me`,
    });
    const text = await startFullSync(operator, {
      dryRun: false,
      wait: true,
      json: false,
      pollMs: 200,
      progress: silentStream,
    });
    expect(text).toMatch(/with errors/);
    expect(text).toContain(user!.userPrincipalName);
    expect(text).not.toContain(ESC);
    expect(text).toContain('\\u001b[31mme');

    const shown = await showUser(operator, user!.id, { json: false });
    expect(shown).toMatch(/last error +.*\\u001b\]0;owned/);
    expect(shown).not.toContain(ESC);
    const json = await showUser(operator, user!.id, { json: true });
    expect(json).not.toContain(ESC);
    expect((JSON.parse(json) as UserReport).state.lastError).toContain(RED);
  }, 120_000);
});
