/** The user entity's PBX activities: ensure (create, adopt, update, re-enable), disable, delete. */
import type { DesiredExtension, ExtensionLink, ExtensionNumber } from '../model/index.js';

export interface EnsureExtensionInput {
  desired: DesiredExtension;
  number: ExtensionNumber;
  link?: ExtensionLink;
  expectNew: boolean;
  adoptExistingByEmail: boolean;
  /** Send the Linkus welcome email when this call created the extension and none was sent before. */
  welcomeEmail: boolean;
}

export interface EnsureExtensionResult {
  link: ExtensionLink;
  /** This sync created the extension (also when a retry found its own earlier create). */
  created: boolean;
  adopted: boolean;
  changedFields: string[];
  welcomeEmailSent: boolean;
}

/** What disabling an extension cut, in words (`user show` prints it): it depends on the PBX's fields. */
export interface AccessCut {
  cut: string[];
}

/** A named check of one dependency (Graph, the PBX), as the health check reports it. */
export interface ProbeResult {
  name: string;
  detail: string;
}
