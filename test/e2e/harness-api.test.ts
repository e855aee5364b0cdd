/** The stack as a library (stack/index.ts), as a test suite of a user's own would use it. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../stack/index.js';

describe('startHarness', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.stop());

  it('serves the default config on free ports, with the blog\'s objects and deployments', async () => {
    for (const url of Object.values(harness.urls)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$|\/oauth2\/v1\/token$|\/admin\/v1\/SigningCert\/jwk$/);
    expect(new URL(harness.urls.iam).port).not.toBe('8080');
    const jwks = await fetch(harness.urls.jwks);
    expect(jwks.status).toBe(200);
  });

  it('a token from the seeded client passes /test/1; the clock expires it; the decisions say why', async () => {
    const response = await fetch(harness.urls.token, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('usecase1_client:usecase1-client-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&scope=anwendung1AnwendungReadA',
    });
    const { access_token: token } = (await response.json()) as { access_token: string };
    const call = () => fetch(`${harness.urls.gateway}/test/1`, { headers: { authorization: `Bearer ${token}` } });
    expect((await call()).status).toBe(200);
    harness.clock.advance(3601_000);
    try {
      expect((await call()).status).toBe(401);
      const [latest] = harness.decisions(1);
      expect(latest).toMatchObject({ outcome: 'refused', status: 401, path: '/test/1', reason: { check: 'authentication.exp' } });
    } finally {
      harness.clock.advance(-3601_000);
    }
  });

  it('stop() closes every listener', async () => {
    const other = await startHarness();
    const { iam, gateway, controlPlane, backend } = other.urls;
    await other.stop();
    for (const url of [iam, gateway, controlPlane, backend]) await expect(fetch(`${url}/_harness/health`)).rejects.toThrow();
  });
});
