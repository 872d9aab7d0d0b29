import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';

export interface ServerTls {
  caCertPath: string;
  caCertPem: string;
  certPem: string;
  keyPem: string;
}

const FILES = { ca: 'ca.pem', caKey: 'ca-key.pem', cert: 'server.pem', key: 'server-key.pem' } as const;
const DAY_MS = 86_400_000;

/** Node's native generator: forge's pure-JS RSA generation takes seconds. */
function newKeyPair(): { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  const key = forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e) };
}

function serial(): string {
  // Positive serial: first hex digit below 8.
  return '0' + forge.util.bytesToHex(forge.random.getBytesSync(15));
}

function validity(cert: forge.pki.Certificate, days: number): void {
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
}

function createCa(): { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, 3650);
  const subject = [{ name: 'commonName', value: 'entra-pbx-sync Graph simulator CA' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert, key: keys.privateKey };
}

function createServerCert(ca: forge.pki.Certificate, caKey: forge.pki.rsa.PrivateKey) {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, 825);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(ca.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 2, value: 'localhost' },
        { type: 7, ip: '127.0.0.1' },
      ],
    },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** Loads the CA and server certificate from `dir`, generating them on first use. */
export function ensureServerTls(dir: string): ServerTls {
  mkdirSync(dir, { recursive: true });
  const path = (name: string) => join(dir, name);
  if (!Object.values(FILES).every((f) => existsSync(path(f)))) {
    const ca = createCa();
    const server = createServerCert(ca.cert, ca.key);
    writeFileSync(path(FILES.caKey), forge.pki.privateKeyToPem(ca.key), { mode: 0o600 });
    writeFileSync(path(FILES.key), server.keyPem, { mode: 0o600 });
    writeFileSync(path(FILES.cert), server.certPem);
    writeFileSync(path(FILES.ca), forge.pki.certificateToPem(ca.cert));
  }
  return {
    caCertPath: path(FILES.ca),
    caCertPem: readFileSync(path(FILES.ca), 'utf8'),
    certPem: readFileSync(path(FILES.cert), 'utf8'),
    keyPem: readFileSync(path(FILES.key), 'utf8'),
  };
}

/** A self-signed client certificate + key (PEM), e.g. for registering a certificate-authenticated app. */
export function createClientCertificate(commonName: string): {
  certificatePem: string;
  privateKeyPem: string;
} {
  const keys = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, 365);
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return {
    certificatePem: forge.pki.certificateToPem(cert),
    privateKeyPem: forge.pki.privateKeyToPem(keys.privateKey),
  };
}
