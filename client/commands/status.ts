import { healthCheck } from '../../workflows/index.js';
import type { OperatorClient } from '../connect.js';

export async function ping({ client, address }: OperatorClient): Promise<string> {
  const info = await client.workflowService.getSystemInfo({});
  return `Temporal at ${address} answers (server ${info.serverVersion || 'unknown version'}, namespace ${client.options.namespace})`;
}

/** Runs the healthCheck workflow on a worker, which probes Graph and the PBX from where the worker runs. */
export async function status({ client, config }: OperatorClient): Promise<string> {
  const results = await client.workflow.execute(healthCheck, {
    taskQueue: config.taskQueue,
    workflowId: `health/${new Date().toISOString()}`,
    workflowExecutionTimeout: '2 minutes',
  });
  if (results.length === 0) return 'worker answered; it has no dependencies configured';
  return results.map(({ name, detail }) => `${name}: ${detail}`).join('\n');
}
