/**
 * Workflow type names (a workflow's type is its function's name). Activities start and query workflows by
 * these names, because they may not import workflow code; `test/contracts.test.ts` checks every name
 * against the functions the worker registers.
 */
export const WorkflowType = {
  userLifecycle: 'userLifecycle',
  fullSync: 'fullSync',
  syncUser: 'syncUser',
  directoryWatcher: 'directoryWatcher',
  healthCheck: 'healthCheck',
} as const;
export type WorkflowType = (typeof WorkflowType)[keyof typeof WorkflowType];
