/** Configuration of the Teams bot, and its reading from the environment. */
import type { EnvValues } from '../../src/env.js';
import { readPlatformEnv, type PlatformEnv } from '../../src/platform.js';

export interface TeamsConfig {
  /** The bot's Microsoft App ID (Azure Bot resource). Empty: no authentication (tests, local emulator only). */
  readonly appId: string;
  /** The app's client secret. Required with an app id. */
  readonly appPassword?: string;
  /** The app's Entra tenant: set for a single-tenant app (the only kind Azure creates now). */
  readonly tenantId?: string;
  /** Accept an empty app id: requests are then NOT authenticated. Never in production. */
  readonly allowUnauthenticated?: boolean;
  /**
   * OpenID metadata document that lists the keys Bot Framework signs requests with. Default: the
   * SDK's (`https://login.botframework.com/v1/.well-known/openidconfiguration`). Tests point it at the fake.
   */
  readonly openIdMetadataUrl?: string;
  /** Path of the messaging endpoint on the one HTTP server. Default `/api/messages`. */
  readonly endpointPath?: string;
}

export class TeamsConfigError extends Error {
  override readonly name = 'TeamsConfigError';
}

/** Throws a TeamsConfigError when the configuration cannot work; returns warnings to log. */
export function checkTeamsConfig(config: TeamsConfig): string[] {
  if (!config.appId.trim()) {
    if (!config.allowUnauthenticated) {
      throw new TeamsConfigError(
        'teams: TEAMS_APP_ID is empty. Set TEAMS_APP_ID and TEAMS_APP_PASSWORD (Azure Bot resource), ' +
          'or set TEAMS_ALLOW_UNAUTHENTICATED=true to accept unauthenticated requests (tests and the local emulator only).',
      );
    }
    return ['teams: TEAMS_APP_ID is empty and TEAMS_ALLOW_UNAUTHENTICATED=true: requests to the messaging endpoint are NOT authenticated; never run this in production'];
  }
  if (!config.appPassword?.trim()) {
    throw new TeamsConfigError('teams: TEAMS_APP_ID is set but TEAMS_APP_PASSWORD is empty: the bot cannot get a token to post messages.');
  }
  return [];
}

export const TEAMS_ENV: PlatformEnv = {
  enabledBy: ['TEAMS_APP_ID', 'TEAMS_APP_PASSWORD', 'TEAMS_APP_TENANT_ID', 'TEAMS_ALLOW_UNAUTHENTICATED'],
  env: [
    { key: 'TEAMS_APP_ID', kind: 'string', doc: 'Microsoft App ID of the Azure Bot; empty is refused at start unless `TEAMS_ALLOW_UNAUTHENTICATED=true`' },
    { key: 'TEAMS_APP_PASSWORD', kind: 'string', secret: true, doc: 'client secret of that app (required with an app id)' },
    { key: 'TEAMS_APP_TENANT_ID', kind: 'string', doc: 'Entra tenant of a single-tenant app (omit for a legacy multi-tenant app)' },
    // Only the exact word `true` turns authentication off: a typo must not.
    { key: 'TEAMS_ALLOW_UNAUTHENTICATED', kind: 'string', default: 'false', doc: 'only `true` accepts unauthenticated Bot Framework requests (tests and the local emulator; a warning is logged)' },
    { key: 'TEAMS_OPENID_METADATA_URL', kind: 'url', doc: "where Bot Framework's signing keys are published (default Bot Framework's; tests use the fake)" },
    { key: 'TEAMS_DEVELOPER_NAME', kind: 'string', doc: 'developer name in the app package (`npm run teams:package`); default: the host of `PUBLIC_URL`' },
  ],
};

export function teamsConfig(v: EnvValues): TeamsConfig {
  const appPassword = v.str('TEAMS_APP_PASSWORD');
  const tenantId = v.str('TEAMS_APP_TENANT_ID');
  const allowUnauthenticated = v.str('TEAMS_ALLOW_UNAUTHENTICATED')?.toLowerCase() === 'true';
  const openIdMetadataUrl = v.str('TEAMS_OPENID_METADATA_URL');
  return {
    appId: v.str('TEAMS_APP_ID') ?? '',
    ...(appPassword ? { appPassword } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(allowUnauthenticated ? { allowUnauthenticated } : {}),
    ...(openIdMetadataUrl ? { openIdMetadataUrl } : {}),
  };
}

/**
 * The Teams config from the environment, or undefined when no TEAMS_* credential is set. An
 * empty app id is not an error here: checkTeamsConfig refuses it at start unless unauthenticated
 * requests are allowed.
 */
export function teamsConfigFromEnv(env: NodeJS.ProcessEnv): TeamsConfig | undefined {
  const v = readPlatformEnv(TEAMS_ENV, env);
  if (!v) return undefined;
  const config = teamsConfig(v);
  return config.appId || config.appPassword || config.tenantId || config.allowUnauthenticated ? config : undefined;
}
