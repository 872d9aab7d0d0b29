export { healthCheck } from './health-check.js';
export { fullSync } from './full-sync.js';
export { userLifecycle } from './user-lifecycle.js';
export { syncUser } from './sync-user.js';
export { directoryWatcher } from './directory-watcher.js';
