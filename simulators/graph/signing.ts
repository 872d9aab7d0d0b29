import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, jwtVerify, type JWK, type JWTPayload } from 'jose';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/** The tenant's RS256 token-signing key, persisted in the data dir so issued tokens survive restarts. */
export class SigningKey {
  private constructor(
    private readonly privateKey: Key,
    private readonly publicKey: Key,
    readonly publicJwk: JWK & { kid: string },
  ) {}

  static async load(dataDir: string): Promise<SigningKey> {
    const file = join(dataDir, 'signing-key.json');
    let privateJwk: JWK;
    if (existsSync(file)) {
      privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
    } else {
      const pair = await generateKeyPair('RS256', { extractable: true });
      privateJwk = { ...(await exportJWK(pair.privateKey)), kid: randomUUID().replace(/-/g, '') };
      writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600 });
    }
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
    const kid = privateJwk.kid ?? 'sim';
    return new SigningKey(
      (await importJWK(privateJwk, 'RS256')) as Key,
      (await importJWK(publicJwk, 'RS256')) as Key,
      { ...publicJwk, kid, use: 'sig', alg: 'RS256' },
    );
  }

  sign(claims: JWTPayload, lifetimeSeconds: number): Promise<string> {
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.publicJwk.kid })
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${lifetimeSeconds}s`)
      .sign(this.privateKey);
  }

  async verify(token: string): Promise<JWTPayload> {
    return (await jwtVerify(token, this.publicKey, { algorithms: ['RS256'], clockTolerance: 5 })).payload;
  }
}
