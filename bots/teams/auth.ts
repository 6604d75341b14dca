/**
 * Authentication of the requests Bot Framework sends to the messaging endpoint, as the connector
 * protocol specifies (learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-connector-authentication):
 * an RS256 JWT in `Authorization: Bearer`, signed with a key from Bot Framework's OpenID metadata
 * that is endorsed for the activity's channel (`msteams`), issued by `https://api.botframework.com`
 * for audience = the bot's app id, within its validity (5 minutes of clock skew), with a
 * `serviceurl` claim equal to the activity's `serviceUrl`.
 *
 * Why not the Agents SDK's `authorizeJWT`: it reads keys from a fixed URL per issuer (so the
 * metadata cannot be pointed at a test double or a sovereign cloud), does not check endorsements,
 * and compares `serviceUrl` by host only and, by default, just logs a mismatch. This uses the same
 * libraries as the SDK (jsonwebtoken, jwks-rsa: key cache and refresh rate limit).
 */
import jwt, { type JwtHeader, type JwtPayload, type SigningKeyCallback } from 'jsonwebtoken';
import jwksRsa, { type JwksClient } from 'jwks-rsa';

export const BOT_FRAMEWORK_OPENID_METADATA_URL = 'https://login.botframework.com/v1/.well-known/openidconfiguration';
/** Issuer of the tokens Bot Framework channels (Teams among them) send to bots. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
const CLOCK_TOLERANCE_SECONDS = 300;
const FETCH_TIMEOUT_MS = 10_000;
/** jwks-rsa's errors that are an answer about the token (unknown key id, too many unknown ids). */
const KEY_VERDICTS = new Set(['SigningKeyNotFoundError', 'JwksRateLimitError']);

/** A request that is not from Bot Framework for this bot: answer 401. */
export class TeamsAuthError extends Error {
  override readonly name = 'TeamsAuthError';
}

/** What the check reads from the (still unverified) activity. */
export interface ActivityClaims {
  readonly serviceUrl?: unknown;
  readonly channelId?: unknown;
}

/** Resolves with the token's claims, or rejects: TeamsAuthError for a bad request, other errors when the keys cannot be read. */
export type RequestVerifier = (authorization: string | undefined, activity: ActivityClaims) => Promise<JwtPayload>;

function field(v: unknown, name: string): unknown {
  return typeof v === 'object' && v !== null ? Reflect.get(v, name) : undefined;
}

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!res.ok) throw new Error(`teams: ${new URL(url).host} answered HTTP ${res.status} for the Bot Framework signing keys`);
  return res.json();
}

export function createRequestVerifier(appId: string, openIdMetadataUrl = BOT_FRAMEWORK_OPENID_METADATA_URL): RequestVerifier {
  /** Channels each key may sign for (`endorsements` of the JWKS entries), by key id. */
  const endorsements = new Map<string, readonly string[]>();
  let client: Promise<JwksClient> | undefined;

  const keys = (): Promise<JwksClient> => {
    client ??= (async () => {
      const jwksUri = field(await getJson(openIdMetadataUrl), 'jwks_uri');
      if (typeof jwksUri !== 'string') throw new Error('teams: the OpenID metadata has no jwks_uri');
      return jwksRsa({
        jwksUri,
        cache: true,
        cacheMaxAge: 24 * 3600_000,
        // An unknown key id makes the client fetch the keys again: at most this often.
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        fetcher: async (uri) => {
          const list = field(await getJson(uri), 'keys');
          const entries: unknown[] = Array.isArray(list) ? list : [];
          for (const key of entries) {
            const kid = field(key, 'kid');
            const endorsed = field(key, 'endorsements');
            if (typeof kid === 'string') endorsements.set(kid, Array.isArray(endorsed) ? endorsed.filter((e): e is string => typeof e === 'string') : []);
          }
          return { keys: entries };
        },
      });
    })();
    // A failed metadata fetch is tried again on the next request.
    client.catch(() => {
      client = undefined;
    });
    return client;
  };

  return async (authorization, activity) => {
    const token = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    if (!token) throw new TeamsAuthError('no bearer token');
    const jwks = await keys();
    /** The key list could not be read (not: the token names an unknown key): no answer on the token. */
    let keysFailed: Error | undefined;
    const getKey = (header: JwtHeader, done: SigningKeyCallback): void => {
      jwks.getSigningKey(header.kid, (err, key) => {
        if (err && !KEY_VERDICTS.has(err.name)) keysFailed = err;
        done(err, key?.getPublicKey());
      });
    };
    const verified = await new Promise<{ payload: JwtPayload; kid?: string }>((resolve, reject) => {
      const options = { algorithms: ['RS256' as const], issuer: BOT_FRAMEWORK_ISSUER, audience: appId, clockTolerance: CLOCK_TOLERANCE_SECONDS, complete: true as const };
      jwt.verify(token, getKey, options, (err, decoded) => {
        const payload = decoded?.payload;
        if (keysFailed) reject(keysFailed);
        else if (err || !decoded || typeof payload !== 'object') reject(new TeamsAuthError(err?.message ?? 'invalid token'));
        else resolve({ payload, ...(decoded.header.kid ? { kid: decoded.header.kid } : {}) });
      });
    });
    const { channelId, serviceUrl } = activity;
    if (typeof channelId === 'string' && channelId && !(verified.kid && endorsements.get(verified.kid)?.includes(channelId))) {
      throw new TeamsAuthError('the signing key is not endorsed for the channel');
    }
    const claim: unknown = verified.payload.serviceurl;
    if (typeof claim !== 'string' || typeof serviceUrl !== 'string' || claim !== serviceUrl) {
      throw new TeamsAuthError('the serviceurl claim does not match the activity');
    }
    return verified.payload;
  };
}
