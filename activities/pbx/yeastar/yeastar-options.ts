/** Options of the Yeastar adapter (supplied by the config module; the adapter reads no environment). */
export interface YeastarOptions {
  /** https://{pbx_domain} (Cloud) or http(s)://host:port (Software/Appliance). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** PEM file of a private CA to trust in addition to the system store. */
  caFile?: string;
  userAgent?: string;
  /** Requests in flight at once from this process (token calls excluded). Default 4. */
  maxConcurrentRequests?: number;
  /** Per request, from connecting to the last byte of the reply. Default 15 000 ms. */
  requestTimeoutMs?: number;
  /**
   * The caller's cancellation, asked for on each API request (the worker passes the running activity's
   * signal). An aborted request is not retried and rejects with the signal's reason. Token requests are shared
   * by every caller and never take it.
   */
  signal?: () => AbortSignal | undefined;
  /**
   * After the PBX rejects a login, no request goes to it until this cool-down has passed: `firstMs` after the
   * first rejection, doubling with each further one up to `maxMs`. Default 2 minutes, capped at 30 minutes.
   */
  loginCooldown?: { firstMs: number; maxMs: number };
  /**
   * PBX variant knobs. The Open API documents no field for "extension enabled", "Linkus enabled" or the SSO
   * identity: null (default for the two flags) means the PBX has none and the matching capability is off.
   */
  extensionEnabledField?: string | null;
  linkusEnabledField?: string | null;
  /** Extension field Microsoft sign-in matches. Default `email_addr`. */
  ssoIdentityField?: string;
  /** Whether extension/update may change the number. Default false (Yeastar's own guide says it can't). */
  renumberExtension?: boolean;
  /** page_size asked for on list/search; the PBX may clamp it. Default 100. */
  pageSize?: number;
  /** extension/search matches email addresses (Yeastar's AI guide says so; UNCONFIRMED). Default true. */
  searchMatchesEmail?: boolean;
  /** concurrent_registrations for new extensions (required by the API). Default 3. */
  concurrentRegistrations?: number;
}

export type ResolvedYeastarOptions = Required<Omit<YeastarOptions, 'caFile' | 'signal'>> &
  Pick<YeastarOptions, 'caFile' | 'signal'>;

export function resolveOptions(o: YeastarOptions): ResolvedYeastarOptions {
  return {
    userAgent: 'entra-pbx-sync',
    maxConcurrentRequests: 4,
    requestTimeoutMs: 15_000,
    loginCooldown: { firstMs: 120_000, maxMs: 1_800_000 },
    extensionEnabledField: null,
    linkusEnabledField: null,
    ssoIdentityField: 'email_addr',
    renumberExtension: false,
    pageSize: 100,
    searchMatchesEmail: true,
    concurrentRegistrations: 3,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  } as ResolvedYeastarOptions;
}
