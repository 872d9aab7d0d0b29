/**
 * Field limits of the Yeastar P-Series. The Open API pages give few of them, so each constant names its
 * source; where no Yeastar page states a limit, the value is the most conservative one documented for a
 * comparable Yeastar field. docs/pbx-limits.md lists each with its Yeastar page.
 */

/** First and last name: "127 (63 for first name and 63 for last name)", P-Series contacts import page. */
export const MAX_NAME_LENGTH = 63;

/** Job title: not stated for extensions; 127 is the P-Series limit for company names and contact job titles. */
export const MAX_TITLE_LENGTH = 127;

/** Organization name ≤127 (developer guide, add an organization). */
export const MAX_ORGANIZATION_LENGTH = 127;

/** Extension-group name: not documented; 63 matches reg_name and other P-Series name fields. */
export const MAX_EXTENSION_GROUP_NAME_LENGTH = 63;

/** Email: the P-Series contacts page allows 255, third-party import tooling 127; take the smaller. */
export const MAX_EMAIL_LENGTH = 127;

/** Phone numbers ≤31 characters (P-Series contacts import page). */
export const MAX_PHONE_LENGTH = 31;

/** At most 63 extension groups per PBX (Yeastar's Entra group-sync notes). */
export const MAX_EXTENSION_GROUPS = 63;

/**
 * Extension numbers: digits only. No P-Series page gives a length; Yeastar's Cloud PBX / S-Series API
 * allows at most 7 digits, which every P-Series accepts.
 */
export const MAX_EXTENSION_NUMBER_DIGITS = 7;

/**
 * Characters Yeastar rejects in names (caller ID name rule of the Yeastar API v2; third-party import
 * tooling): ! % . @ : ; & " ' \ < > ` $ — plus control characters (\p{Cc}) and invisible format characters
 * (\p{Cf}: bidi overrides that reorder a name on a phone display or terminal, zero-width spaces and joiners,
 * soft hyphens). Stripped from display text.
 */
export const REJECTED_NAME_CHARACTERS = /[!%.@:;&"'\\<>`$\p{Cc}\p{Cf}]/gu;

/**
 * P-Series email rule (contacts import page): letters, digits and @ _ - . ' only; starts with a letter,
 * digit or _; shaped local@domain.tld.
 */
export const VALID_EMAIL = /^[A-Za-z0-9_][A-Za-z0-9_.'-]*@[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.[A-Za-z]{2,}$/;
