import { createHash, generateKeyPairSync, randomBytes, createPublicKey } from 'node:crypto';
import https from 'node:https';
import { exportJWK, importPKCS8, SignJWT } from 'jose';
import forge from 'node-forge';

/**
 * A minimal Entra-shaped OIDC provider over HTTPS with its own CA, for the Linkus SSO tests: tenant-first
 * paths, discovery, JWKS, an authorize endpoint that signs in the `login_hint` user without a form, and a
 * token endpoint that checks client secret, redirect URI and PKCE.
 */
export interface IdpUser {
  email: string;
  upn: string;
  name: string;
}

export interface TestIdp {
  url: string;
  caPem: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  addUser(user: IdpUser): void;
  stop(): Promise<void>;
}

function issueCertificates(): { caPem: string; keyPem: string; certPem: string } {
  const keys = () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return {
      privateKey: forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()),
      publicKey: forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString()),
    };
  };
  const make = (subject: string, serial: string, pub: forge.pki.PublicKey) => {
    const cert = forge.pki.createCertificate();
    cert.publicKey = pub;
    cert.serialNumber = serial;
    cert.validity.notBefore = new Date(Date.now() - 60_000);
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([{ name: 'commonName', value: subject }]);
    return cert;
  };
  const ca = keys();
  const caCert = make('Test IdP CA', '01', ca.publicKey);
  caCert.setIssuer(caCert.subject.attributes);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());
  const leaf = keys();
  const cert = make('127.0.0.1', '02', leaf.publicKey);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }]);
  cert.sign(ca.privateKey, forge.md.sha256.create());
  return {
    caPem: forge.pki.certificateToPem(caCert),
    keyPem: forge.pki.privateKeyToPem(leaf.privateKey),
    certPem: forge.pki.certificateToPem(cert),
  };
}

export async function startTestIdp(): Promise<TestIdp> {
  const tenantId = '11111111-2222-3333-4444-555555555555';
  const clientId = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
  const clientSecret = randomBytes(12).toString('hex');
  const tls = issueCertificates();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = await importPKCS8(
    privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    'RS256',
  );
  const jwk = {
    ...(await exportJWK(createPublicKey(privateKey))),
    kid: 'test-key',
    use: 'sig',
    alg: 'RS256',
  };
  const users = new Map<string, IdpUser>();
  const codes = new Map<string, { user: IdpUser; redirectUri: string; nonce: string; challenge: string }>();
  let base = '';
  const issuer = () => `${base}/${tenantId}/v2.0`;

  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const u = new URL(req.url ?? '/', base);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const p = u.pathname.replace(`/${tenantId}`, '');
    if (p === '/v2.0/.well-known/openid-configuration') {
      return json(200, {
        issuer: issuer(),
        authorization_endpoint: `${base}/${tenantId}/oauth2/v2.0/authorize`,
        token_endpoint: `${base}/${tenantId}/oauth2/v2.0/token`,
        jwks_uri: `${base}/${tenantId}/discovery/v2.0/keys`,
        response_types_supported: ['code'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (p === '/discovery/v2.0/keys') return json(200, { keys: [jwk] });
    if (p === '/oauth2/v2.0/authorize') {
      const q = u.searchParams;
      const redirect = new URL(q.get('redirect_uri') ?? '');
      redirect.searchParams.set('state', q.get('state') ?? '');
      const user = users.get((q.get('login_hint') ?? '').toLowerCase());
      if (q.get('client_id') !== clientId || !user) redirect.searchParams.set('error', 'access_denied');
      else {
        const code = randomBytes(16).toString('hex');
        codes.set(code, {
          user,
          redirectUri: q.get('redirect_uri') ?? '',
          nonce: q.get('nonce') ?? '',
          challenge: q.get('code_challenge') ?? '',
        });
        redirect.searchParams.set('code', code);
      }
      res.writeHead(302, { location: redirect.toString() });
      return res.end();
    }
    if (p === '/oauth2/v2.0/token' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        const pkceOk = grant && createHash('sha256').update(verifier).digest('base64url') === grant.challenge;
        if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
          return json(401, { error: 'invalid_client' });
        }
        if (!grant || !pkceOk || grant.redirectUri !== form.get('redirect_uri'))
          return json(400, { error: 'invalid_grant' });
        void new SignJWT({
          email: grant.user.email,
          preferred_username: grant.user.upn,
          name: grant.user.name,
          tid: tenantId,
          nonce: grant.nonce,
        })
          .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
          .setIssuer(issuer())
          .setAudience(clientId)
          .setSubject(createHash('sha256').update(grant.user.upn).digest('hex').slice(0, 32))
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(signingKey)
          .then((idToken) =>
            json(200, { token_type: 'Bearer', id_token: idToken, access_token: 'opaque', expires_in: 600 }),
          );
      });
      return;
    }
    json(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url: base,
    caPem: tls.caPem,
    tenantId,
    clientId,
    clientSecret,
    addUser: (user) => users.set(user.upn.toLowerCase(), user),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
