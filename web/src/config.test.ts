import { describe, expect, it } from 'vitest';
import { parseConfig } from './config.ts';

describe('config.json', () => {
  it('is local sign-in (by token) when it names only the API', () => {
    expect(parseConfig({ apiUrl: 'http://127.0.0.1:8787/' })).toEqual({ apiUrl: 'http://127.0.0.1:8787' });
  });

  it("reads the Cognito ids the infra's runtime config writes", () => {
    const cloud = {
      apiUrl: 'https://abc.execute-api.us-east-1.amazonaws.com',
      region: 'us-east-1',
      userPoolId: 'us-east-1_X',
      userPoolClientId: 'client123',
      authUrl: 'https://ganzoo-1.auth.us-east-1.amazoncognito.com/',
    };
    expect(parseConfig(cloud)).toEqual({
      apiUrl: cloud.apiUrl,
      cognito: { authUrl: 'https://ganzoo-1.auth.us-east-1.amazoncognito.com', clientId: 'client123' },
    });
  });

  it('names what is missing', () => {
    expect(() => parseConfig([])).toThrow('config.json is not a JSON object');
    expect(() => parseConfig(null)).toThrow('config.json is not a JSON object');
    expect(() => parseConfig({})).toThrow('config.json has no "apiUrl"');
    expect(() => parseConfig({ apiUrl: 'x', authUrl: 'y' })).toThrow(/lacks "authUrl" or "userPoolClientId"/);
  });
});
