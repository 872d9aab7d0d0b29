import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const PROVIDER = fileURLToPath(new URL('../scripts/temporal.sh', import.meta.url));

/** Path of the Temporal CLI: TEMPORAL_CLI, PATH, the per-user cache, or a one-time build (scripts/temporal.sh). */
export function temporalCli(): string {
  return execFileSync('bash', [PROVIDER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}
