export { ConfigError, loadClientConfig, loadWorkerConfig } from './load.js';
export { Secret } from './secret.js';
export type { ClientConfig, GraphConfig, NotificationsConfig, PbxConfig, WorkerConfig } from './schema.js';
export { DEMO_PROFILE, withCliProfile } from './cli-profile.js';
export { loadTemporalConnectConfig, type TemporalConnectConfig } from './temporal.js';
