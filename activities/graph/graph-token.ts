import type { TokenCredential } from '@azure/identity';
import type { AuthenticationProvider } from '@microsoft/microsoft-graph-client';
import { CredentialsRejectedError } from './graph-failures.js';

const GLOBAL_GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

const DEFAULT_CREDENTIAL_COOL_DOWN_MS = 2 * 60_000;
const MAX_CREDENTIAL_COOL_DOWN_MS = 30 * 60_000;

/**
 * Entra's answers that only a fix of the app registration or of our secret/certificate can change: wrong or
 * expired secret, certificate not registered, app unknown or disabled.
 */
const REJECTED_CREDENTIALS =
  /\b(invalid_client|unauthorized_client)\b|AADSTS(7000215|7000222|700027|700016|7000112)\b/;

interface Rejection {
  reason: string;
  count: number;
  nextAttemptAt: number;
}

const rejected = (r: Rejection) => new CredentialsRejectedError(r.reason, new Date(r.nextAttemptAt));

/** An access token and the credential generation that issued it. */
export interface AppToken {
  value: string;
  generation: number;
}

/**
 * The app's access tokens for Graph, one request at a time. The credential (MSAL) caches the token; `renew`
 * replaces the credential, the only way to drop that cache. Rejected credentials are remembered, so calls
 * fail at once instead of asking Entra again, until a cool-down that doubles with each rejection.
 */
export class GraphTokens implements AuthenticationProvider {
  private credential: TokenCredential;
  /** Counts credentials: a refused token renews only the one that issued it, once for many refusals. */
  private generation = 0;
  private inflight: Promise<AppToken> | undefined;
  private rejection: Rejection | undefined;

  constructor(
    private readonly newCredential: () => TokenCredential,
    private readonly coolDownMs = DEFAULT_CREDENTIAL_COOL_DOWN_MS,
    /** A national cloud's Graph issues tokens only for its own host (see `graphScopeFor`). */
    private readonly scope = GLOBAL_GRAPH_SCOPE,
  ) {
    this.credential = newCredential();
  }

  async getAccessToken(): Promise<string> {
    return (await this.token()).value;
  }

  token(): Promise<AppToken> {
    if (this.rejection && Date.now() < this.rejection.nextAttemptAt)
      return Promise.reject(rejected(this.rejection));
    if (!this.inflight) {
      const attempt = this.acquire().finally(() => {
        if (this.inflight === attempt) this.inflight = undefined;
      });
      this.inflight = attempt;
    }
    return this.inflight;
  }

  /** A token from a new credential after Graph refused `refused` before its expiry. */
  renew(refused: AppToken): Promise<AppToken> {
    if (refused.generation === this.generation) {
      this.credential = this.newCredential();
      this.generation++;
      this.inflight = undefined;
    }
    return this.token();
  }

  private async acquire(): Promise<AppToken> {
    const { credential, generation } = this;
    try {
      const accessToken = await credential.getToken(this.scope);
      if (!accessToken) throw new Error('the credential returned no access token');
      this.rejection = undefined;
      return { value: accessToken.token, generation };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!REJECTED_CREDENTIALS.test(message)) throw error;
      const count = (this.rejection?.count ?? 0) + 1;
      const wait = Math.min(this.coolDownMs * 2 ** (count - 1), MAX_CREDENTIAL_COOL_DOWN_MS);
      this.rejection = {
        // Entra's description without trace ids, e.g. "AADSTS7000215: Invalid client secret provided."
        reason: /AADSTS\d+:[^.]*\./.exec(message)?.[0] ?? message,
        count,
        nextAttemptAt: Date.now() + wait,
      };
      throw rejected(this.rejection);
    }
  }
}
