export { GraphSource, DELTA_LATEST, type UserQuery } from './graph-source.js';
export { MAX_PRESENCE_IDS } from './graph-presence.js';
export { pages, readAll } from './graph-requests.js';
export { type GraphFailureDetails, parseRetryAfter } from './graph-failures.js';
export { connectGraph, createCredential, graphScopeFor, type GraphConnection } from './graph-client.js';
export type { GraphAuth, GraphSourceOptions } from './graph-options.js';
export type * from './graph-types.js';
