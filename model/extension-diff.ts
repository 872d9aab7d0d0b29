/** What differs between the extension a user should have and the one the PBX has. */
import type { DesiredExtension, ExistingExtension, ExtensionLink } from './types.js';

export type ComparedField =
  | 'firstName'
  | 'lastName'
  | 'email'
  | 'mobile'
  | 'title'
  | 'organization'
  | 'ssoIdentity'
  | 'linkusEnabled'
  | 'enabled';

export interface FieldChange {
  field: ComparedField;
  from: string | boolean;
  to: string | boolean;
}

/**
 * Fields the PBX does not report (ssoIdentity, linkusEnabled when undefined) are not compared, so an
 * unchanged user never causes a write. `enabled` also appears when the link still carries a disable mark
 * (a user back within the grace period): applying it clears the mark.
 */
export function diffExtension(
  desired: DesiredExtension,
  existing: ExistingExtension,
  link: ExtensionLink | undefined,
): FieldChange[] {
  const changes: FieldChange[] = [];
  const text = (field: ComparedField, from: string, to: string) => {
    if (from !== to) changes.push({ field, from, to });
  };
  text('firstName', existing.firstName, desired.firstName);
  text('lastName', existing.lastName, desired.lastName);
  if (existing.email.toLowerCase() !== desired.email.toLowerCase()) {
    changes.push({ field: 'email', from: existing.email, to: desired.email });
  }
  text('mobile', existing.mobile, desired.mobile);
  text('title', existing.title, desired.title);
  if (
    desired.organization !== undefined &&
    (existing.organizations.length !== 1 || existing.organizations[0] !== desired.organization)
  ) {
    changes.push({
      field: 'organization',
      from: existing.organizations.join(', '),
      to: desired.organization,
    });
  }
  if (existing.ssoIdentity !== undefined) text('ssoIdentity', existing.ssoIdentity, desired.ssoIdentity);
  if (existing.linkusEnabled !== undefined && existing.linkusEnabled !== desired.linkusEnabled) {
    changes.push({ field: 'linkusEnabled', from: existing.linkusEnabled, to: desired.linkusEnabled });
  }
  if (!existing.enabled || link?.disabledAt !== undefined) {
    changes.push({ field: 'enabled', from: existing.enabled, to: true });
  }
  return changes;
}
