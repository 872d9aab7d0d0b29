/**
 * The one way to build Temporal visibility queries: every value is quoted by `quote`, every attribute is a
 * typed search attribute or one of Temporal's own, and workflow types come from `WorkflowType`.
 */
import { SYNC_RUN_ID, TENANT_ID } from './search-attributes.js';
import { WorkflowType } from './workflow-types.js';

/** A keyword search attribute (see search-attributes.ts) or one of Temporal's own attributes. */
type Attribute =
  | { name: string; type: 'KEYWORD' }
  | 'WorkflowType'
  | 'WorkflowId'
  | 'ExecutionStatus'
  | 'StartTime'
  | 'CloseTime';

export type ExecutionStatus = 'Running' | 'Completed' | 'Failed' | 'Canceled' | 'Terminated' | 'TimedOut';

const nameOf = (attribute: Attribute): string => (typeof attribute === 'string' ? attribute : attribute.name);

/** A string literal in a visibility query: backslashes and single quotes escaped, any other text kept. */
export const quote = (value: string): string => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export const equals = (attribute: Attribute, value: string): string =>
  `${nameOf(attribute)} = ${quote(value)}`;
export const notEquals = (attribute: Attribute, value: string): string =>
  `${nameOf(attribute)} != ${quote(value)}`;
export const oneOf = (attribute: Attribute, values: readonly string[]): string =>
  `${nameOf(attribute)} IN (${values.map(quote).join(', ')})`;
export const atLeast = (attribute: Attribute, value: string): string =>
  `${nameOf(attribute)} >= ${quote(value)}`;
export const anyOf = (...conditions: string[]): string => `(${conditions.join(' OR ')})`;

export const isRunning = equals('ExecutionStatus', 'Running');
export const isStatus = (status: ExecutionStatus): string => equals('ExecutionStatus', status);

/** Workflows of one type and tenant, narrowed by more conditions (all must hold). */
export const workflowsOf = (type: WorkflowType, tenantId: string, ...conditions: string[]): string =>
  [equals('WorkflowType', type), equals(TENANT_ID, tenantId), ...conditions].join(' AND ');

/** The tenant's running user entities: the link table. */
export const runningUserEntities = (tenantId: string, ...conditions: string[]): string =>
  workflowsOf(WorkflowType.userLifecycle, tenantId, isRunning, ...conditions);

/** The user entities that applied a request of this sync run (their SyncRunId search attribute). */
export const entitiesThatApplied = (tenantId: string, syncRunId: string, ...conditions: string[]): string =>
  runningUserEntities(tenantId, equals(SYNC_RUN_ID, syncRunId), ...conditions);
