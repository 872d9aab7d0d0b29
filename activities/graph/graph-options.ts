export type GraphAuth =
  | { kind: 'secret'; clientSecret: string }
  | { kind: 'certificate'; certificatePath: string }
  | { kind: 'certificate'; certificatePem: string };

/** Supplied by the config module; the adapter never reads the environment. */
export interface GraphSourceOptions {
  tenantId: string;
  clientId: string;
  auth: GraphAuth;
  /** e.g. https://login.microsoftonline.com */
  authorityHost: string;
  /** e.g. https://graph.microsoft.com (a trailing /v1.0 is accepted) */
  graphBaseUrl: string;
  /** PEM file of an extra CA to trust for both the token endpoint and Graph (the simulator's CA). */
  caFile?: string;
  /** How long one Graph call may take, its token and a token renewal included (default 30 s). */
  requestTimeoutMs?: number;
  /**
   * The caller's cancellation (e.g. the running activity's), read at every call; an abort rejects the call
   * with the signal's reason.
   */
  signal?: () => AbortSignal | undefined;
  /**
   * How long to wait after Entra rejects the app's credentials before asking again (default 2 minutes);
   * doubles with every further rejection, up to 30 minutes.
   */
  credentialCoolDownMs?: number;
}
