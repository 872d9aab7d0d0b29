import * as workflows from '../workflows/index.js';
import { WorkflowType, quote, workflowsOf, entitiesThatApplied } from '../contracts/index.js';

test('every workflow type name in the contracts is a workflow the worker registers, under that name', () => {
  const registered = Object.entries(workflows).map(([exported, fn]) => [exported, fn.name]);
  expect(Object.values(WorkflowType).sort()).toEqual(registered.map(([, name]) => name).sort());
  for (const [exported, name] of registered) expect(name).toBe(exported);
});

test('visibility queries quote every value, so an apostrophe in a UPN or run id cannot break them', () => {
  expect(quote("o'brien@contoso.com")).toBe("'o\\'brien@contoso.com'");
  expect(entitiesThatApplied('t1', "sync-user/t1/o'brien@contoso.com/2026")).toBe(
    "WorkflowType = 'userLifecycle' AND TenantId = 't1' AND ExecutionStatus = 'Running' AND " +
      "SyncRunId = 'sync-user/t1/o\\'brien@contoso.com/2026'",
  );
  expect(workflowsOf(WorkflowType.fullSync, "x' OR '1' = '1")).toBe(
    "WorkflowType = 'fullSync' AND TenantId = 'x\\' OR \\'1\\' = \\'1'",
  );
});
