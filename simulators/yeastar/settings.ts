/**
 * Simulator settings. Everything the Yeastar reference marks UNCONFIRMED is a setting here, so tests can
 * run the adapter against each variant. Defaults follow the most likely reading of the documentation.
 */
export interface RateLimit {
  /** Requests admitted per second (token bucket, burst = one second's worth). */
  perSecond: number;
  /** UNCONFIRMED: no throttle errcode is documented; 70082 OVERLOAD_TASK_RUNNING is the closest. */
  errcode: number;
  /** 200 (envelope only, the documented style) or e.g. 429. */
  httpStatus: number;
}

export interface SimSettings {
  clientId: string;
  clientSecret: string;
  accessTokenTtlSec: number;
  refreshTokenTtlSec: number;
  maxTokensPerClient: number;
  /** UNCONFIRMED: errcode returned by get_token/refresh_token at the 8-token cap. */
  tokenCapErrcode: number;
  /** UNCONFIRMED: whether refresh_token invalidates the access token it replaces. */
  refreshRevokesOldToken: boolean;
  /** UNCONFIRMED: errcode for an unknown/garbage token (10004 is the only documented token code). */
  unknownTokenErrcode: number;
  /** UNCONFIRMED: errcode of refresh_token for an expired, already used or revoked refresh token. */
  badRefreshTokenErrcode: number;
  failedLoginsBeforeBlock: number;
  /** UNCONFIRMED: errcode for a request without User-Agent; null accepts it. */
  missingUserAgentErrcode: number | null;
  /** UNCONFIRMED: 'always-200' (documented style) or 'mapped' (4xx/5xx HTTP status matching the errcode). */
  errorHttpStatus: 'always-200' | 'mapped';
  /** The docs say the PBX closes the connection after each response. */
  closeConnections: boolean;

  extensionCapacity: number;
  /** UNCONFIRMED: default and maximum page_size of list/search endpoints, and what happens above the max. */
  defaultPageSize: number;
  maxPageSize: number;
  pageSizeOverMax: 'clamp' | 'reject';
  /** UNCONFIRMED: whether extension/search matches email_addr (number and name always match). */
  searchMatchesEmail: boolean;
  /** UNCONFIRMED: whether extension/update may change `number`. */
  allowNumberChange: boolean;
  /** UNCONFIRMED: 40003 for a duplicate number carries duplicate_field_list (true) or only errmsg (false). */
  duplicateNumberHasFieldList: boolean;
  /** UNCONFIRMED: errcode for update/delete/get of an unknown id (60001 DATA NOT FOUND or 40002). */
  unknownIdErrcode: number;
  /** UNCONFIRMED: range of concurrent_registrations. */
  maxConcurrentRegistrations: number;
  /** UNCONFIRMED: how caller_id_name is derived from first_name/last_name. */
  callerIdNameOrder: 'first-last' | 'last-first';
  /** UNCONFIRMED: key of Organization_Info / Member_info items: {"value":"5"} or {"id":5}. */
  refItemKey: 'value' | 'id';
  /** Organization Management on: organization_list required on extension/create; off: org endpoints → 70120. */
  organizationManagement: boolean;
  maxOrganizationDepth: number;
  maxOrganizations: number;
  maxExtensionGroups: number;
  /**
   * UNCONFIRMED field names: the Open API documents no extension "enabled", "Linkus enabled" or SSO identity
   * field. null means the PBX variant has no such field (it is ignored on write and absent on read).
   */
  extensionEnabledField: string | null;
  linkusEnabledField: string | null;
  /** Extension field compared with the id_token identity at Linkus SSO login. */
  ssoIdentityField: string;

  maxCompanyContacts: number;
  maxPhonebooks: number;
  /**
   * UNCONFIRMED field name: the Open API documents no phonebook visibility field. When set, phonebook create/update
   * accept it as a list of extension ids who may see the phonebook (empty = everyone) and reads return it.
   */
  phonebookMemberField: string | null;
  /** UNCONFIRMED (third-party claim): only one sel_all phonebook; a second → 40003. */
  singleSelAllPhonebook: boolean;
  /** UNCONFIRMED: non-ASCII contact names accepted. */
  acceptUnicodeNames: boolean;

  latencyMs: number;
  /** Requests processed at once; further requests queue. 0 = unlimited. */
  maxConcurrent: number;
  rateLimit: RateLimit | null;
  /** PBX serial number carried in event frames. */
  serialNumber: string;
  fsync: boolean;
  snapshotEvery: number;
}

export type YeastarSimulatorOptions = Partial<SimSettings> & {
  port?: number;
  dataDir?: string;
};

export const DEFAULT_SETTINGS: SimSettings = {
  clientId: 'sim-client-id',
  clientSecret: 'sim-client-secret',
  accessTokenTtlSec: 1800,
  refreshTokenTtlSec: 86400,
  maxTokensPerClient: 8,
  tokenCapErrcode: -1,
  refreshRevokesOldToken: false,
  unknownTokenErrcode: 10004,
  badRefreshTokenErrcode: 10004,
  failedLoginsBeforeBlock: 5,
  missingUserAgentErrcode: 40001,
  errorHttpStatus: 'always-200',
  closeConnections: true,
  extensionCapacity: 500,
  defaultPageSize: 20,
  maxPageSize: 200,
  pageSizeOverMax: 'clamp',
  searchMatchesEmail: true,
  allowNumberChange: false,
  duplicateNumberHasFieldList: true,
  unknownIdErrcode: 60001,
  maxConcurrentRegistrations: 10,
  callerIdNameOrder: 'first-last',
  refItemKey: 'value',
  organizationManagement: true,
  maxOrganizationDepth: 6,
  maxOrganizations: 500,
  maxExtensionGroups: 63,
  extensionEnabledField: 'enable_extension',
  linkusEnabledField: 'enable_linkus',
  ssoIdentityField: 'email_addr',
  maxCompanyContacts: 200000,
  maxPhonebooks: 200,
  phonebookMemberField: null,
  singleSelAllPhonebook: true,
  acceptUnicodeNames: true,
  latencyMs: 0,
  maxConcurrent: 0,
  rateLimit: null,
  serialNumber: '3631A2124SIM',
  fsync: true,
  snapshotEvery: 1000,
};

/** Settings that may change at run time through the control API (credentials and storage may not). */
export type TunableSettings = Omit<SimSettings, 'clientId' | 'clientSecret' | 'fsync' | 'snapshotEvery'>;
