import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';

/** Once per process, before any connection: the SDK's INFO chatter (bundler output) is noise for operators. */
export function installRuntime(
  level: LogLevel = (process.env.LOG_LEVEL?.toUpperCase() as LogLevel | undefined) ?? 'WARN',
): void {
  Runtime.install({ logger: new DefaultLogger(level) });
}
