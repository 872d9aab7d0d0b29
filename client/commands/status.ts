import { healthCheck } from '../../workflows/index.js';
import type { OperatorClient } from '../connect.js';
import { printable, render } from '../output.js';

export async function ping({ client, address }: OperatorClient, json = false): Promise<string> {
  const info = await client.workflowService.getSystemInfo({});
  const report = {
    address,
    namespace: client.options.namespace,
    serverVersion: info.serverVersion || 'unknown version',
  };
  return render(
    report,
    json,
    () => `Temporal at ${address} answers (server ${report.serverVersion}, namespace ${report.namespace})`,
  );
}

/** Runs the healthCheck workflow on a worker, which probes Graph and the PBX from where the worker runs. */
export async function status({ client, config }: OperatorClient, json = false): Promise<string> {
  const results = await client.workflow.execute(healthCheck, {
    taskQueue: config.taskQueue,
    workflowId: `health/${new Date().toISOString()}`,
    workflowExecutionTimeout: '2 minutes',
  });
  return render({ taskQueue: config.taskQueue, dependencies: results }, json, () => {
    if (results.length === 0) return 'worker answered; it has no dependencies configured';
    return results.map(({ name, detail }) => `${name}: ${printable(detail)}`).join('\n');
  });
}
