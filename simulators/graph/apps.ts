import { X509Certificate, createHash, randomBytes, randomUUID } from 'node:crypto';

/** Application permissions (app roles) the simulator knows about. */
export const ALL_ROLES = [
  'User.Read.All',
  'Group.Read.All',
  'GroupMember.Read.All',
  'Directory.Read.All',
  'Contacts.Read',
  'Presence.Read.All',
] as const;

export interface AppRegistration {
  clientId: string;
  displayName?: string;
  clientSecret?: string;
  certificatePem?: string;
  roles: string[];
  /** Redirect URIs accepted by /authorize; empty = any. */
  redirectUris?: string[];
}

export interface CertificateThumbprints {
  sha1: string;
  sha256: string;
}

export function thumbprints(certificatePem: string): CertificateThumbprints {
  const der = new X509Certificate(certificatePem).raw;
  return {
    sha1: createHash('sha1').update(der).digest('base64url'),
    sha256: createHash('sha256').update(der).digest('base64url'),
  };
}

export class AppRegistry {
  private readonly apps = new Map<string, AppRegistration>();

  register(input: Partial<AppRegistration> & { roles?: string[] }): AppRegistration {
    const app: AppRegistration = {
      clientId: input.clientId ?? randomUUID(),
      roles: input.roles ?? [...ALL_ROLES],
      ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
      ...(input.clientSecret !== undefined ? { clientSecret: input.clientSecret } : {}),
      ...(input.certificatePem !== undefined ? { certificatePem: input.certificatePem } : {}),
      ...(input.redirectUris !== undefined ? { redirectUris: input.redirectUris } : {}),
    };
    if (app.certificatePem) thumbprints(app.certificatePem); // rejects an unreadable certificate early
    this.apps.set(app.clientId, app);
    return app;
  }

  update(clientId: string, patch: Partial<Omit<AppRegistration, 'clientId'>>): AppRegistration {
    const app = this.apps.get(clientId);
    if (!app) throw new Error(`No app registration with client id ${clientId}`);
    return this.register({ ...app, ...patch, clientId });
  }

  remove(clientId: string): void {
    this.apps.delete(clientId);
  }

  get(clientId: string): AppRegistration | undefined {
    return this.apps.get(clientId);
  }

  list(): AppRegistration[] {
    return [...this.apps.values()];
  }
}

export function newClientSecret(): string {
  // Shaped like an Entra secret value: 40 characters with a `~` in it.
  return (
    randomBytes(30).toString('base64url').slice(0, 3) +
    'Q~' +
    randomBytes(30).toString('base64url').slice(0, 35)
  );
}
