import type { ApplicationFailure } from '@temporalio/common';
import { PbxFailure } from '../../../contracts/index.js';
import { pbxFailure } from '../pbx-failure.js';

/**
 * Remembers, for the life of the process, that the PBX rejected our login. The PBX blocks the source IP after
 * 5 failed logins (70004), and the directory watcher calls every few seconds: retrying wrong credentials on
 * every call would lock every worker on the host out within a minute. So after a rejection nothing goes to the
 * PBX until a cool-down has passed (doubling with each further rejection, up to a cap), and then one login is
 * tried. A worker restart (after fixing the credentials) starts afresh.
 */
interface Rejection {
  cause: string;
  code: number;
  cooldownMs: number;
  retryAt: number;
}

export class LoginLockout {
  private rejection: Rejection | undefined;

  constructor(private readonly cooldown: { firstMs: number; maxMs: number }) {}

  /** The failure to throw without contacting the PBX, while a cool-down runs. */
  current(): ApplicationFailure | undefined {
    const r = this.rejection;
    return r && Date.now() < r.retryAt ? failure(r) : undefined;
  }

  /** Records a rejected login (`cause` names what the PBX said) and returns the failure to throw. */
  rejected(cause: string, code: number): ApplicationFailure {
    const cooldownMs = Math.min(
      this.rejection ? this.rejection.cooldownMs * 2 : this.cooldown.firstMs,
      this.cooldown.maxMs,
    );
    this.rejection = { cause, code, cooldownMs, retryAt: Date.now() + cooldownMs };
    return failure(this.rejection);
  }

  accepted(): void {
    this.rejection = undefined;
  }
}

function failure({ cause, code, retryAt }: Rejection): ApplicationFailure {
  return pbxFailure(
    PbxFailure.AuthFailed,
    `PBX credentials rejected (${cause}); fix PBX_CLIENT_ID/PBX_CLIENT_SECRET and restart the worker, ` +
      `or wait for the next attempt at ${new Date(retryAt).toISOString()}`,
    { object: 'PBX API session', operation: 'get_token', code },
  );
}
