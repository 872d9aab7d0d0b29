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
  /** Per request. Default 15 000 ms. */
  requestTimeoutMs?: number;
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

export type ResolvedYeastarOptions = Required<Omit<YeastarOptions, 'caFile'>> & { caFile?: string };

export function resolveOptions(o: YeastarOptions): ResolvedYeastarOptions {
  return {
    userAgent: 'entra-pbx-sync',
    maxConcurrentRequests: 4,
    requestTimeoutMs: 15_000,
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
