import { CancelledFailure, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  GraphFailure,
  SyncFailure,
  type AwaitDirectoryChangeInput,
  type DeltaCursors,
  type DirectoryChangeWatch,
} from '../../contracts/index.js';
import type { DeltaPage, GraphSource } from '../graph/index.js';

/**
 * Temporal Cloud bills every heartbeat that reaches the server: one every 4 minutes is 360 a day, and the
 * activity's heartbeat timeout (set by the watcher) notices a dead worker within 10 minutes.
 */
export const POLL_HEARTBEAT_MS = 4 * 60_000;
/** A Graph outage longer than this is handed to the watcher, which records it where operators look. */
const REPORT_FAILING_AFTER_MS = 5 * 60_000;

export interface DirectoryChangePollDeps {
  graph: GraphSource;
  /** Aborted when the worker begins to stop: a poll ends at once and is retried on another worker. */
  stopping?: AbortSignal;
}

const hasChanges = (page: DeltaPage<unknown>) => page.changes.length > 0 || page.nextCursor !== undefined;
const failureType = (error: unknown) => (error instanceof ApplicationFailure ? error.type : undefined);
const isPermanent = (error: unknown) => error instanceof ApplicationFailure && error.nonRetryable;
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * The directory watcher's idle loop, inside one long activity: it reads the users and groups delta from the
 * watcher's cursors every interval and returns only when something changed, when Graph keeps failing, or
 * after `maxWaitSeconds` with fresher cursors to record. An idle tenant then costs a heartbeat every few
 * minutes instead of an activity and a timer every interval. It never consumes a change: the watcher's round
 * reads the same pages from the cursors it is handed back.
 */
export const createDirectoryChangePoll = ({ graph, stopping }: DirectoryChangePollDeps) => ({
  async awaitDirectoryChange(input: AwaitDirectoryChangeInput): Promise<DirectoryChangeWatch> {
    const context = Context.current();
    let cursors: DeltaCursors = (context.info.heartbeatDetails as DeltaCursors | undefined) ?? input.cursors;
    const deadline = Date.now() + input.maxWaitSeconds * 1000;
    let polls = 0;
    let lastBeat = -Infinity;
    let failingSince: number | undefined;
    for (;;) {
      if (Date.now() - lastBeat >= POLL_HEARTBEAT_MS) {
        context.heartbeat(cursors);
        lastBeat = Date.now();
      }
      try {
        const [users, groups] = await Promise.all([
          graph.deltaPage('users', cursors.users),
          graph.deltaPage('groups', cursors.groups),
        ]);
        polls++;
        failingSince = undefined;
        if (hasChanges(users) || hasChanges(groups)) return { outcome: 'changed', cursors, polls };
        cursors = { users: users.deltaLink ?? cursors.users, groups: groups.deltaLink ?? cursors.groups };
      } catch (error) {
        if (error instanceof CancelledFailure) throw error;
        // The round meets the same expired token and re-baselines, as it always has.
        if (failureType(error) === GraphFailure.DeltaTokenExpired)
          return { outcome: 'changed', cursors, polls };
        failingSince ??= Date.now();
        if (isPermanent(error) || Date.now() - failingSince >= REPORT_FAILING_AFTER_MS)
          return { outcome: 'failed', cursors, polls, error: messageOf(error) };
      }
      const wait = Math.min(input.intervalSeconds * 1000, deadline - Date.now());
      if (wait <= 0) return { outcome: 'idle', cursors, polls };
      await sleepUnlessStopping(context, wait, stopping);
    }
  },
});

async function sleepUnlessStopping(context: Context, ms: number, stopping?: AbortSignal): Promise<void> {
  if (!stopping) return context.sleep(ms);
  const stopped = new Promise<never>((_, reject) => {
    const abort = () =>
      reject(
        ApplicationFailure.retryable(
          'the worker is stopping: the poll goes on elsewhere',
          SyncFailure.WorkerStopping,
        ),
      );
    if (stopping.aborted) abort();
    else stopping.addEventListener('abort', abort, { once: true });
  });
  stopped.catch(() => undefined);
  await Promise.race([context.sleep(ms), stopped]);
}
