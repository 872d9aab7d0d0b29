import { ApplicationFailure } from '@temporalio/common';
import { Context } from '@temporalio/activity';
import {
  PbxFailure,
  SyncFailure,
  type AccessCut,
  type EnsureExtensionInput,
  type EnsureExtensionResult,
} from '../../contracts/index.js';
import type { PbxDirectory, PbxExtension, PbxExtensionPatch } from '../pbx/index.js';
import {
  allocate,
  diffExtension,
  type DesiredExtension,
  type ExtensionLink,
  type ExtensionNumber,
  type FieldChange,
  type SyncPolicy,
} from '../../model/index.js';
import { listManagedUsers, type VisibilityOf } from './user-entities.js';
import type { NumberLedgerCache } from './number-ledger-cache.js';
import { organizationNamesById, toExistingExtension } from './pbx-snapshot.js';

export interface ExtensionDeps {
  pbx: PbxDirectory;
  policy: SyncPolicy;
  tenantId: string;
  ledgers: NumberLedgerCache;
  visibilityOf: VisibilityOf;
}

type Ensured = Omit<EnsureExtensionResult, 'welcomeEmailSent'>;

const MAX_NUMBER_RETRIES = 5;
/** Candidates checked on the PBX and in the link table per refused number. */
const MAX_NUMBER_PROBES = 20;

/** Which unique field a PBX duplicate error is about, if it is one. */
function duplicateField(error: unknown): string | undefined {
  if (!(error instanceof ApplicationFailure) || error.type !== PbxFailure.Duplicate) return undefined;
  const [details] = error.details as [{ fields?: string[] }?];
  return details?.fields?.[0];
}

const fieldsOf = (changes: FieldChange[]) => changes.map((c) => c.field);

/**
 * The PBX, heartbeating before and after each of its requests: an activity here makes several, and with the
 * workflow's heartbeatTimeout a worker that hangs or dies between them is noticed in seconds, and a
 * cancellation reaches the activity (the PBX client then aborts its request with it).
 */
function heartbeating(pbx: PbxDirectory): PbxDirectory {
  const beat = () => Context.current().heartbeat();
  return new Proxy(pbx, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]): unknown => {
        beat();
        const result: unknown = value.apply(target, args);
        return result instanceof Promise ? result.finally(beat) : result;
      };
    },
  });
}

export const createExtensionActivities = ({
  pbx: direct,
  policy,
  tenantId,
  ledgers,
  visibilityOf,
}: ExtensionDeps) => {
  const pbx = heartbeating(direct);
  const organizationIds = async (name: string | undefined): Promise<string[] | undefined> => {
    if (name === undefined) return undefined;
    const found = (await pbx.listOrganizations()).find((o) => o.parentId !== undefined && o.name === name);
    return [found?.id ?? (await pbx.createOrganization({ name })).id];
  };

  const organizationNames = async (extension: PbxExtension) =>
    extension.organizationIds.length === 0 || policy.groups.organizationSource === 'none'
      ? new Map<string, string>()
      : organizationNamesById(await pbx.listOrganizations());

  /** Writes only what differs; an unchanged extension costs no write. */
  const applyChanges = async (
    current: PbxExtension,
    desired: DesiredExtension,
    link?: ExtensionLink,
  ): Promise<FieldChange[]> => {
    const changes = diffExtension(
      desired,
      toExistingExtension(current, await organizationNames(current)),
      link,
    );
    const fields = new Set(changes.map((c) => c.field));
    const patch: PbxExtensionPatch = {};
    if (fields.has('firstName')) patch.firstName = desired.firstName;
    if (fields.has('lastName')) patch.lastName = desired.lastName;
    if (fields.has('email')) patch.email = desired.email;
    if (fields.has('mobile')) patch.mobile = desired.mobile;
    if (fields.has('title')) patch.title = desired.title;
    if (fields.has('organization')) patch.organizationIds = (await organizationIds(desired.organization))!;
    if (Object.keys(patch).length > 0) await pbx.updateExtension(current.id, patch);
    if (fields.has('linkusEnabled') || fields.has('ssoIdentity'))
      await pbx.setLinkusAccess(current.id, {
        enabled: desired.linkusEnabled,
        ssoIdentity: desired.ssoIdentity,
      });
    if (fields.has('enabled')) {
      // Back from offboarding: the passwords cut then stay unknown; fresh ones, and SSO or a welcome email.
      await pbx.replaceCredentials(current.id);
      if (pbx.capabilities.disableExtension) await pbx.setExtensionEnabled(current.id, true);
    }
    return changes;
  };

  /**
   * Only when the PBX refused `refused` because something holds it (another process's user, an admin's
   * extension): the next number free in the kept ledger that neither the PBX nor a user entity holds. One
   * lookup on each side per candidate, instead of reading the whole PBX and link table.
   */
  const nextFreeNumber = async (owner: string, refused: ExtensionNumber): Promise<ExtensionNumber> => {
    const visibility = visibilityOf(Context.current().client);
    const { numbers } = await ledgers.get(visibility, tenantId, () => Context.current().heartbeat());
    let taken = refused;
    for (let probe = 0; probe < MAX_NUMBER_PROBES; probe++) {
      numbers.assigned[taken] = `held on the PBX: ${taken}`;
      const now = new Date().toISOString();
      const { outcome } = allocate(numbers, { owner }, { policy: policy.numbers, now });
      if (!outcome.ok)
        throw ApplicationFailure.nonRetryable(outcome.reason, SyncFailure.NumberRangeExhausted);
      const [onPbx, holders] = await Promise.all([
        pbx.findExtensionByNumber(outcome.number),
        listManagedUsers(visibility, tenantId, { filter: { numbers: [outcome.number] } }),
      ]);
      if (!onPbx && [...holders.values()].every((holder) => holder.objectId === owner)) {
        numbers.assigned[outcome.number] = owner;
        return outcome.number;
      }
      taken = outcome.number;
    }
    throw ApplicationFailure.retryable(
      `no free extension number found in ${MAX_NUMBER_PROBES} tries`,
      SyncFailure.NumberProbesExhausted,
    );
  };

  /**
   * Idempotent "make it so": follows the link, else finds the user's extension by email (a retried create
   * finds its own result; another extension is adopted only when allowed), else creates one.
   */
  const ensure = async ({
    desired,
    number,
    link,
    expectNew,
    adoptExistingByEmail,
  }: EnsureExtensionInput): Promise<Ensured> => {
    if (link) {
      const current = await pbx.getExtension(link.extensionId);
      if (current) {
        return {
          link: { extensionId: current.id, number: current.number },
          created: false,
          adopted: false,
          changedFields: fieldsOf(await applyChanges(current, desired, link)),
        };
      }
    }
    const linkByEmail = async (): Promise<Ensured | undefined> => {
      const byEmail = await pbx.findExtensionByEmail(desired.email);
      if (!byEmail) return undefined;
      const own = byEmail.number === number;
      if (!own && !adoptExistingByEmail) {
        throw ApplicationFailure.nonRetryable(
          `${desired.userPrincipalName}: email ${desired.email} is already used by extension ${byEmail.number}, and adoptExistingByEmail is off`,
          PbxFailure.Duplicate,
        );
      }
      return {
        link: { extensionId: byEmail.id, number: byEmail.number },
        created: own,
        adopted: !own,
        changedFields: fieldsOf(await applyChanges(byEmail, desired)),
      };
    };
    if (!expectNew) {
      const linked = await linkByEmail();
      if (linked) return linked;
    }
    let candidate = number;
    for (let attempt = 0; ; attempt++) {
      try {
        const organization = await organizationIds(desired.organization);
        // A retried create that finds its own earlier result is adopted by the adapter (created: false).
        const result = await pbx.createExtension({
          number: candidate,
          firstName: desired.firstName,
          lastName: desired.lastName,
          email: desired.email,
          mobile: desired.mobile,
          title: desired.title,
          linkusEnabled: desired.linkusEnabled,
          ssoIdentity: desired.ssoIdentity,
          ...(organization ? { organizationIds: organization } : {}),
        });
        return {
          link: { extensionId: result.id, number: candidate },
          created: true,
          adopted: false,
          changedFields: [],
        };
      } catch (error) {
        const field = duplicateField(error);
        if (field === 'email_addr') {
          const linked = await linkByEmail();
          if (linked) return linked;
        }
        if (field !== 'number' || attempt >= MAX_NUMBER_RETRIES) throw error;
        candidate = await nextFreeNumber(desired.objectId, candidate);
      }
    }
  };

  return {
    async ensureExtension(input: EnsureExtensionInput): Promise<EnsureExtensionResult> {
      const result = await ensure(input);
      // Same activity as the create: one round trip less per new user. The window for a second email is the
      // instant between the PBX sending it and Temporal recording this activity's completion.
      const returned = !result.created && input.link?.disabledAt !== undefined;
      const welcomeEmailSent =
        (result.created && input.welcomeEmail) || (returned && policy.offboarding.welcomeEmailOnReturn);
      if (welcomeEmailSent) await pbx.sendWelcomeEmail([result.link.extensionId]);
      return { ...result, welcomeEmailSent };
    },

    /**
     * Cuts what the documented Open API can cut: the SIP and user passwords are replaced with random ones
     * nobody keeps (registered devices and password logins stop working), and where this PBX has the fields,
     * the extension is disabled, Linkus switched off and the Microsoft sign-in identity cleared.
     */
    async disableExtension(link: ExtensionLink): Promise<AccessCut> {
      const { extensionId } = link;
      const cut: string[] = [];
      await pbx.replaceCredentials(extensionId);
      cut.push('SIP and user passwords replaced');
      if (pbx.capabilities.disableExtension) {
        await pbx.setExtensionEnabled(extensionId, false);
        cut.push('extension disabled');
      }
      if (pbx.capabilities.linkusToggle) {
        await pbx.setLinkusAccess(extensionId, { enabled: false });
        cut.push('Linkus off');
      }
      if (pbx.capabilities.ssoIdentityClearable) {
        await pbx.updateExtension(extensionId, { ssoIdentity: '' });
        cut.push('Microsoft sign-in identity cleared');
      }
      return { cut };
    },

    async deleteExtension(link: ExtensionLink): Promise<void> {
      await pbx.deleteExtension(link.extensionId);
    },
  };
};
