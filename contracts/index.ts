/**
 * The messages that cross the workflow/activity/client boundary: workflow ids, signals, queries, updates,
 * search attributes, request and result types, failure types and visibility queries. Workflows, activities,
 * the client, the worker and the tests import them from here; nothing here does I/O.
 */
export * from './directory-watcher.js';
export * from './extension.js';
export * from './failures.js';
export * from './full-sync.js';
export * from './search-attributes.js';
export * from './sync-user.js';
export * from './user-entity.js';
export * from './visibility.js';
export * from './workflow-types.js';
