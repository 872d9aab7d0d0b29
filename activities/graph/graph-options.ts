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
}
