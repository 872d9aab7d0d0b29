import { now, type SimContext } from './context.js';
import { extensions, type ExtensionRecord } from './extensions.js';

/**
 * What devices and people do outside the Open API, so offboarding tests can prove old passwords stop working: a SIP
 * device registering (auth name = extension number, secret = `reg_password`) and a user signing in to the web
 * portal or Linkus with `user_password`. Yeastar documents none of this; the checks run in this order and the
 * first failing one is the reason: unknown-extension, wrong-password, extension-disabled, linkus-disabled (Linkus
 * only). Checking the password before the disabled flag lets a test tell a rotated password from a disabled one.
 */
export type AccessKind = 'sip' | 'web' | 'linkus';
export type AccessRefusal = 'unknown-extension' | 'wrong-password' | 'extension-disabled' | 'linkus-disabled';

export interface AccessResult {
  ok: boolean;
  reason?: AccessRefusal;
}

export interface AccessAttempt extends AccessResult {
  at: string;
  kind: AccessKind;
  number: string;
}

const MAX_LOG = 1000;

function check(ext: ExtensionRecord | undefined, kind: AccessKind, password: string): AccessResult {
  if (!ext) return { ok: false, reason: 'unknown-extension' };
  if (password !== (kind === 'sip' ? ext.reg_password : ext.user_password)) {
    return { ok: false, reason: 'wrong-password' };
  }
  if (!ext.enabled) return { ok: false, reason: 'extension-disabled' };
  if (kind === 'linkus' && !ext.linkus_enabled) return { ok: false, reason: 'linkus-disabled' };
  return { ok: true };
}

export class DeviceAccess {
  /** Attempts, oldest first (the last 1000); passwords are never recorded. */
  readonly log: AccessAttempt[] = [];

  constructor(private readonly sim: SimContext) {}

  /** A successful registration emits 30007 (the PBX's per-extension monitor toggle is not modelled). */
  sipRegister(number: string, password: string, ip = '127.0.0.1'): AccessResult {
    const result = this.attempt('sip', number, password);
    if (result.ok) {
      this.sim.events.publish(30007, {
        extension: number,
        kind: 'Sip',
        status: 'Registered',
        registered_ip: ip,
      });
    }
    return result;
  }

  userLogin(number: string, password: string, app: 'web' | 'linkus' = 'web'): AccessResult {
    if (app !== 'web' && app !== 'linkus') throw new Error(`unknown app ${String(app)}: 'web' or 'linkus'`);
    return this.attempt(app, number, password);
  }

  private attempt(kind: AccessKind, number: string, password: string): AccessResult {
    const result = check(
      extensions(this.sim).find((e) => e.number === number),
      kind,
      password,
    );
    this.log.push({ at: new Date(now()).toISOString(), kind, number, ...result });
    if (this.log.length > MAX_LOG) this.log.shift();
    return result;
  }
}
