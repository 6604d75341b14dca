/**
 * What Bot Framework does to authenticate its calls to a bot: an RS256 JWT in `Authorization`,
 * signed with a key published in an OpenID metadata document (with `endorsements` per channel).
 * The fake holds its own key pair and publishes it the same way.
 */
import { createSign, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';

/** Issuer of the tokens Bot Framework channels send to bots (the connector protocol's authentication spec). */
export const CHANNEL_ISSUER = 'https://api.botframework.com';

export interface Jwk {
  readonly kty: 'RSA';
  readonly use: 'sig';
  readonly kid: string;
  readonly n: string;
  readonly e: string;
  readonly endorsements: readonly string[];
}

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

export class SigningKey {
  readonly kid = randomUUID();
  private pair?: { privateKey: KeyObject; publicKey: KeyObject };

  constructor(private readonly endorsements: readonly string[] = ['msteams']) {}

  /** RSA key generation takes a while: only done when a test needs signatures. */
  private keys(): { privateKey: KeyObject; publicKey: KeyObject } {
    this.pair ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
    return this.pair;
  }

  jwk(): Jwk {
    const { n, e } = this.keys().publicKey.export({ format: 'jwk' });
    if (!n || !e) throw new Error('RSA key without n/e');
    return { kty: 'RSA', use: 'sig', kid: this.kid, n, e, endorsements: this.endorsements };
  }

  /** A signed token as Bot Framework sends it to a bot: audience = the bot's app id. */
  sign(claims: Record<string, unknown>, lifetimeSeconds = 3600): string {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid: this.kid };
    const payload = { iss: CHANNEL_ISSUER, nbf: now - 60, iat: now - 60, exp: now + lifetimeSeconds, ...claims };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
    const signature = createSign('RSA-SHA256').update(input).sign(this.keys().privateKey);
    return `${input}.${b64url(signature)}`;
  }
}
