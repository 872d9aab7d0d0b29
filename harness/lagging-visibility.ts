import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import type { Visibility, VisibilityOf } from '../activities/sync/user-entities.js';

interface Answer<T> {
  at: number;
  value: T;
}

/**
 * Temporal's visibility store as Temporal Cloud and Elasticsearch-backed clusters serve it: eventually
 * consistent. Every list and count is answered as it was `lagMs` ago: the real answer is recorded, and the
 * newest recorded answer at least `lagMs` old is returned (before there is one, nothing is visible yet). A
 * query to one workflow (`getHandle`) is not lagged: it goes to the workflow itself.
 */
export function laggingVisibility(
  lagMs: number,
  clock: () => number = Date.now,
): VisibilityOf & { stats: { answers: number; stale: number } } {
  const stats = { answers: 0, stale: 0 };
  const lists = new Map<string, Answer<WorkflowExecutionInfo[]>[]>();
  const counts = new Map<string, Answer<number>[]>();
  const lagged = <T>(history: Map<string, Answer<T>[]>, key: string, now: T, empty: T): T => {
    const answers = history.get(key) ?? [];
    answers.push({ at: clock(), value: now });
    history.set(key, answers);
    const old = answers.filter((a) => a.at <= clock() - lagMs);
    // Only the newest old answer is ever served again: the older ones can go.
    if (old.length > 1) answers.splice(0, answers.indexOf(old.at(-1)!));
    const served = old.at(-1)?.value ?? empty;
    stats.answers++;
    if (JSON.stringify(served) !== JSON.stringify(now)) stats.stale++;
    return served;
  };

  const visibilityOf = (client: Client): Visibility => ({
    getHandle: client.workflow.getHandle.bind(client.workflow),
    count: async (query?: string) => {
      const { count } = await client.workflow.count(query);
      return { count: lagged(counts, query ?? '', count, 0), groups: [] };
    },
    list: (options) => {
      const query = options?.query ?? '';
      const answer = (async () => {
        const now: WorkflowExecutionInfo[] = [];
        for await (const execution of client.workflow.list(options)) now.push(execution);
        return lagged(lists, query, now, []);
      })();
      return {
        async *[Symbol.asyncIterator]() {
          yield* await answer;
        },
      } as unknown as ReturnType<Visibility['list']>;
    },
  });
  return Object.assign(visibilityOf, { stats });
}
