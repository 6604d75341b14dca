/** Configuration of the Teams bot, and its reading from the environment. */

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
  /**
   * File hosts besides Teams' own (SharePoint, the connector), trusted like a configured server
   * (`TEAMS_FILE_HOSTS`: a self-hosted emulator, the fake in tests). URLs or `host[:port]`.
   */
  readonly fileHosts?: readonly string[];
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

/** The Teams config from the environment, or undefined when no TEAMS_* credential is set. */
export function teamsConfigFromEnv(env: NodeJS.ProcessEnv): TeamsConfig | undefined {
  const appId = env.TEAMS_APP_ID?.trim() ?? '';
  const appPassword = env.TEAMS_APP_PASSWORD?.trim() || undefined;
  const tenantId = env.TEAMS_APP_TENANT_ID?.trim() || undefined;
  const allowUnauthenticated = env.TEAMS_ALLOW_UNAUTHENTICATED?.trim().toLowerCase() === 'true';
  if (!appId && !appPassword && !tenantId && !allowUnauthenticated) return undefined;
  const openIdMetadataUrl = env.TEAMS_OPENID_METADATA_URL?.trim() || undefined;
  const fileHosts = (env.TEAMS_FILE_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  return {
    ...(fileHosts.length ? { fileHosts } : {}),
    appId,
    ...(appPassword ? { appPassword } : {}),
    ...(tenantId ? { tenantId } : {}),
    ...(allowUnauthenticated ? { allowUnauthenticated } : {}),
    ...(openIdMetadataUrl ? { openIdMetadataUrl } : {}),
  };
}
