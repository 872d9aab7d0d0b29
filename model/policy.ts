/**
 * The sync policy: one validated schema with defaults. Unknown keys are rejected so a typo fails fast
 * with its path instead of silently falling back to a default.
 */
import { z } from 'zod';
import { isKnownAttribute } from './attributes.js';
import { MAX_EXTENSION_NUMBER_DIGITS } from './limits.js';
import { DEFAULT_PRESENCE_RULES, EXTENSION_PRESENCES } from './presence.js';

const MAX_EXTENSION_NUMBER = 10 ** MAX_EXTENSION_NUMBER_DIGITS - 1;

const attributeName = z.string().refine(isKnownAttribute, {
  error: (issue) =>
    `unknown user attribute ${JSON.stringify(issue.input)}: use a Graph user property such as "mail", ` +
    '"businessPhones[0]" or "extensionAttribute1" … "extensionAttribute15"',
});

const objectIds = z.array(z.string().min(1, { error: 'an Entra object id must not be empty' }));

const numberRange = z
  .strictObject({
    from: z.number().int().min(0),
    to: z
      .number()
      .int()
      .max(MAX_EXTENSION_NUMBER, {
        error: `extension numbers have at most ${MAX_EXTENSION_NUMBER_DIGITS} digits`,
      }),
  })
  .refine((r) => r.from <= r.to, { error: 'a range needs from ≤ to' });

const attributeFilter = z
  .strictObject({
    attribute: attributeName,
    equals: z.string().optional(),
    startsWith: z.string().optional(),
    in: z.array(z.string()).optional(),
  })
  .refine((f) => [f.equals, f.startsWith, f.in].filter((v) => v !== undefined).length === 1, {
    error: 'an attribute filter needs exactly one of "equals", "startsWith" or "in"',
  });

/** `truncate` cuts to the PBX limit, `truncate:N` to N characters (never above the PBX limit). */
const fieldTransform = z.union(
  [
    z.enum(['trim', 'lowercase', 'phone', 'truncate']),
    z.templateLiteral(['truncate:', z.number().int().positive()]),
  ],
  { error: 'unknown transform: use "trim", "lowercase", "phone", "truncate" or "truncate:N"' },
);

const fieldMapping = (from: string[], transforms: z.infer<typeof fieldTransform>[]) =>
  z
    .strictObject({
      /** Source attributes, first non-empty wins. */
      from: z.array(attributeName).min(1, { error: 'name at least one source attribute' }),
      transforms: z.array(fieldTransform),
    })
    .default({ from, transforms });

export const syncPolicySchema = z.strictObject({
  scope: z
    .strictObject({
      userTypes: z.enum(['all', 'members', 'guests']).default('all'),
      /** When non-empty, only members (nested groups resolved) of these groups are in scope. */
      groups: objectIds.default([]),
      attributeFilter: attributeFilter.optional(),
    })
    .prefault({}),
  /** Object ids, UPNs or emails (case-insensitive) the sync never creates, changes or offboards. */
  ignore: z.array(z.string().min(1)).default([]),
  numbers: z
    .strictObject({
      ranges: z
        .array(numberRange)
        .min(1, { error: 'configure at least one number range' })
        .default([{ from: 1000, to: 5999 }]),
      /** Per-group ranges; a user in several listed groups gets the first listed group's range. */
      groupRanges: z
        .array(z.strictObject({ groupId: z.string().min(1), ranges: z.array(numberRange).min(1) }))
        .default([]),
      /** An Entra attribute holding the user's extension number, e.g. "extensionAttribute3". */
      attribute: attributeName.optional(),
      /** Numbers the sync never assigns, changes or removes (extensions managed on the PBX). */
      pbxManaged: z.array(numberRange).default([]),
      /** How long a released number is held back before another user may get it. */
      quarantineDays: z.number().min(0).default(30),
    })
    .prefault({}),
  mapping: z
    .strictObject({
      firstName: fieldMapping(['givenName'], ['trim']),
      lastName: fieldMapping(['surname'], ['trim']),
      email: fieldMapping(['mail', 'userPrincipalName'], ['trim', 'lowercase']),
      mobile: fieldMapping(['mobilePhone', 'businessPhones[0]'], ['phone']),
      title: fieldMapping(['jobTitle'], ['trim', 'truncate']),
      department: fieldMapping(['department'], ['trim', 'truncate']),
      /**
       * What the extension's SSO identity (Microsoft sign-in to Linkus) is set to. Yeastar matches the
       * id_token against the extension's email, hence the default; "userPrincipalName" suits PBXes with a
       * separate SSO identity field.
       */
      ssoIdentity: z.enum(['userPrincipalName', 'email']).default('email'),
      linkus: z.boolean().default(true),
    })
    .prefault({}),
  /** Link an existing extension that has the user's email instead of failing on the PBX's unique email. */
  adoptExistingByEmail: z.boolean().default(true),
  /** Create and update only: never disable or delete. */
  upsertOnly: z.boolean().default(false),
  offboarding: z
    .strictObject({
      /** Days between disabling and deleting an extension. */
      graceDays: z.number().min(0).default(7),
      /** A run offboarding more than this many users, or more than this share, waits for approval. */
      maxCount: z.number().int().min(0).default(10),
      maxPercent: z.number().min(0).max(100).default(10),
      /**
       * A user back within the grace period gets new random passwords (the old ones were cut); send them the
       * Linkus welcome email again. Off by default: Microsoft sign-in (SSO) needs no password.
       */
      welcomeEmailOnReturn: z.boolean().default(false),
    })
    .prefault({}),
  groups: z
    .strictObject({
      /** Entra groups that become PBX extension groups, in priority order (the PBX holds at most 63). */
      extensionGroups: objectIds.default([]),
      organizationSource: z.enum(['none', 'department', 'groups']).default('none'),
      /** With organizationSource "groups": the groups that become organizations, in priority order. */
      organizationGroups: objectIds.default([]),
    })
    .prefault({}),
  presence: z
    .array(
      z.strictObject({
        availability: z.string().optional(),
        activity: z.string().optional(),
        presence: z.enum(EXTENSION_PRESENCES),
      }),
    )
    .default(DEFAULT_PRESENCE_RULES),
});

export type SyncPolicy = z.infer<typeof syncPolicySchema>;
/** The policy as written by an operator: every key optional. */
export type SyncPolicyInput = z.input<typeof syncPolicySchema>;
export type ScopePolicy = SyncPolicy['scope'];
export type AttributeFilter = NonNullable<ScopePolicy['attributeFilter']>;
export type NumberPolicy = SyncPolicy['numbers'];
export type NumberRange = NumberPolicy['ranges'][number];
export type MappingPolicy = SyncPolicy['mapping'];
export type FieldMapping = MappingPolicy['firstName'];
export type FieldTransform = FieldMapping['transforms'][number];
export type OffboardingPolicy = SyncPolicy['offboarding'];
export type GroupPolicy = SyncPolicy['groups'];

export type PolicyParseResult = { ok: true; policy: SyncPolicy } | { ok: false; errors: string[] };

/** Validates an operator's policy; each error names the offending key path. */
export function parseSyncPolicy(input: unknown): PolicyParseResult {
  const result = syncPolicySchema.safeParse(input ?? {});
  if (result.success) return { ok: true, policy: result.data };
  return {
    ok: false,
    errors: result.error.issues.map((issue) => `${issue.path.join('.') || '(policy)'}: ${issue.message}`),
  };
}

export function defaultSyncPolicy(): SyncPolicy {
  return syncPolicySchema.parse({});
}
