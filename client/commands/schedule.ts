import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type ScheduleDescription,
  type ScheduleOptions,
} from '@temporalio/client';
import { fullSync } from '../../workflows/full-sync.js';
import { fullSyncSummary } from '../../model/index.js';
import type { OperatorClient } from '../connect.js';
import { fields, render, workflowLink } from '../output.js';
import { TENANT_ID } from '../../contracts/index.js';

export const DEFAULT_SCHEDULE_TIME = '00:30';
export const DEFAULT_SCHEDULE_TIMEZONE = 'UTC';

/** The daily full sync of a tenant; each run it starts is `full-sync/<tenant>/daily-<scheduled time>`. */
export const fullSyncScheduleId = (tenantId: string): string => `full-sync/${tenantId}/daily`;

export interface ScheduleInstallOptions {
  /** HH:MM, 24-hour clock (default 00:30). */
  at?: string;
  /** IANA time zone, e.g. Europe/Berlin (default UTC). */
  timezone?: string;
  json: boolean;
}

/** The schedule as the CLI shows it: enough to check the spec, the policies and what it did. */
export interface ScheduleReport {
  scheduleId: string;
  /** `installed`: created now; `updated`: it existed and now has this spec. */
  outcome?: 'installed' | 'updated';
  at: string;
  timezone: string;
  overlap: string;
  catchupWindowMs: number;
  paused: boolean;
  note?: string;
  nextRuns: string[];
  recentRuns: { workflowId: string; scheduledAt: string; link: string }[];
  running: string[];
}

export function parseTime(at: string): { hour: number; minute: number } {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(at.trim());
  if (!match) throw new Error(`--at ${at}: expected HH:MM on a 24-hour clock, e.g. 00:30 or 23:15`);
  return { hour: Number(match[1]), minute: Number(match[2]) };
}

export function checkTimezone(timezone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    throw new Error(`--timezone ${timezone}: not an IANA time zone; use a name like Europe/Berlin or UTC`);
  }
  return timezone;
}

function scheduleOptions(
  { config }: OperatorClient,
  at: { hour: number; minute: number },
  timezone: string,
): Omit<ScheduleOptions, 'scheduleId'> {
  const tenantId = config.graph.tenantId;
  const tenant = [{ key: TENANT_ID, value: tenantId }];
  return {
    spec: {
      calendars: [{ hour: at.hour, minute: at.minute, comment: 'daily full sync' }],
      timezone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: fullSync,
      workflowId: fullSyncScheduleId(tenantId),
      taskQueue: config.taskQueue,
      args: [{ tenantId }],
      staticSummary: `Daily ${fullSyncSummary(tenantId, false).toLowerCase()}`,
      typedSearchAttributes: tenant,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
    typedSearchAttributes: tenant,
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

function toReport(operator: OperatorClient, description: ScheduleDescription): ScheduleReport {
  const { client, config } = operator;
  const calendar = description.spec.calendars?.[0];
  const hour = calendar?.hour[0]?.start ?? 0;
  const minute = calendar?.minute[0]?.start ?? 0;
  return {
    scheduleId: description.scheduleId,
    at: `${pad(hour)}:${pad(minute)}`,
    timezone: description.spec.timezone || 'UTC',
    overlap: String(description.policies.overlap),
    catchupWindowMs: description.policies.catchupWindow,
    paused: description.state.paused,
    ...(description.state.note ? { note: description.state.note } : {}),
    nextRuns: description.info.nextActionTimes.slice(0, 3).map((t) => t.toISOString()),
    recentRuns: description.info.recentActions.map((a) => ({
      workflowId: a.action.workflow.workflowId,
      scheduledAt: a.scheduledAt.toISOString(),
      link: workflowLink(config.temporalUiUrl, client.options.namespace, a.action.workflow.workflowId),
    })),
    running: description.info.runningActions.map((a) => a.workflow.workflowId),
  };
}

function describeSchedule(report: ScheduleReport): string {
  const head = report.outcome
    ? `${report.outcome} schedule ${report.scheduleId}`
    : `schedule ${report.scheduleId}`;
  return [
    head,
    fields([
      ['runs', `daily at ${report.at} (${report.timezone}): a full sync of the tenant`],
      ['overlap', `${report.overlap.toLowerCase()} (a run still going when the next is due: skip the next)`],
      ['catch-up', `${Math.round(report.catchupWindowMs / 60_000)} minutes after an outage`],
      ['state', report.paused ? `paused${report.note ? ` (${report.note})` : ''}` : 'active'],
      ['next', report.nextRuns.join(', ') || 'none'],
      ['running', report.running.join(', ') || undefined],
      ['last runs', report.recentRuns.map((r) => r.workflowId).join(', ') || undefined],
    ]),
  ].join('\n');
}

/** `schedule install`: creates the tenant's daily full-sync schedule, or brings an existing one to this spec. */
export async function installSchedule(
  operator: OperatorClient,
  options: ScheduleInstallOptions,
): Promise<string> {
  const at = parseTime(options.at ?? DEFAULT_SCHEDULE_TIME);
  const timezone = checkTimezone(options.timezone ?? DEFAULT_SCHEDULE_TIMEZONE);
  const scheduleId = fullSyncScheduleId(operator.config.graph.tenantId);
  const wanted = scheduleOptions(operator, at, timezone);
  let outcome: ScheduleReport['outcome'] = 'installed';
  let handle;
  try {
    handle = await operator.client.schedule.create({ scheduleId, ...wanted });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    outcome = 'updated';
    handle = operator.client.schedule.getHandle(scheduleId);
    await handle.update((previous) => ({
      ...wanted,
      state: {
        paused: previous.state.paused,
        ...(previous.state.note ? { note: previous.state.note } : {}),
      },
    }));
  }
  const report = { ...toReport(operator, await handle.describe()), outcome };
  return render(report, options.json, () => describeSchedule(report));
}

async function describeOrExplain(operator: OperatorClient): Promise<ScheduleDescription> {
  const scheduleId = fullSyncScheduleId(operator.config.graph.tenantId);
  try {
    return await operator.client.schedule.getHandle(scheduleId).describe();
  } catch (error) {
    if (error instanceof ScheduleNotFoundError)
      throw new Error(`no schedule ${scheduleId}: install it with \`npm run cli -- schedule install\``);
    throw error;
  }
}

export async function showSchedule(operator: OperatorClient, options: { json: boolean }): Promise<string> {
  const report = toReport(operator, await describeOrExplain(operator));
  return render(report, options.json, () => describeSchedule(report));
}

/** `schedule remove`: idempotent; runs it already started go on. */
export async function removeSchedule(operator: OperatorClient, options: { json: boolean }): Promise<string> {
  const scheduleId = fullSyncScheduleId(operator.config.graph.tenantId);
  let removed = true;
  try {
    await operator.client.schedule.getHandle(scheduleId).delete();
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
    removed = false;
  }
  return render({ scheduleId, removed }, options.json, () =>
    removed ? `removed schedule ${scheduleId}` : `no schedule ${scheduleId} to remove`,
  );
}
