/**
 * config.json, read at start-up from beside index.html: the infra writes it in the cloud (API URL and the
 * Cognito ids), `npm start` serves it locally (the API URL only, so sign-in is by the local token).
 */
export interface CognitoConfig {
  /** The hosted sign-in page's base URL, e.g. https://ganzoo-x.auth.us-east-1.amazoncognito.com */
  authUrl: string;
  clientId: string;
}

export interface DashboardConfig {
  apiUrl: string;
  cognito?: CognitoConfig;
}

export function parseConfig(raw: unknown): DashboardConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new Error('config.json is not a JSON object');
  const r = raw as Record<string, unknown>;
  if (typeof r.apiUrl !== 'string' || !r.apiUrl) throw new Error('config.json has no "apiUrl"');
  const apiUrl = r.apiUrl.replace(/\/+$/, '');
  const { authUrl, userPoolClientId } = r;
  if (authUrl === undefined && userPoolClientId === undefined) return { apiUrl };
  if (typeof authUrl !== 'string' || typeof userPoolClientId !== 'string' || !authUrl || !userPoolClientId) {
    throw new Error('config.json names a sign-in service but lacks "authUrl" or "userPoolClientId"');
  }
  return { apiUrl, cognito: { authUrl: authUrl.replace(/\/+$/, ''), clientId: userPoolClientId } };
}

export async function loadConfig(): Promise<DashboardConfig> {
  let res: Response;
  try {
    res = await fetch('config.json', { cache: 'no-store' });
  } catch (err) {
    throw new Error(`config.json could not be loaded: ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`config.json could not be loaded (HTTP ${res.status})`);
  return parseConfig(await res.json());
}
