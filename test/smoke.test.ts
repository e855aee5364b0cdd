import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basic, decodeJwtParts, SEEDED, startTestIam, tokenRequest, type TestIam } from './support/iam.js';

describe('mock IAM smoke', () => {
  let iam: TestIam;
  beforeAll(async () => {
    iam = await startTestIam();
  });
  afterAll(() => iam.stop());

  it('issues the blog use case 1 token', async () => {
    const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: SEEDED.useCase1.scope }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
    expect(res.status).toBe(200);
    const { header, claims } = decodeJwtParts(res.body.access_token);
    expect(Object.keys(header)).toEqual(['x5t#S256', 'x5t', 'kid', 'alg']);
    expect(claims).toMatchObject({ iss: 'https://identity.oraclecloud.com/', tok_type: 'AT', aud: 'anwendung1', sub_type: 'client', scope: 'AnwendungReadA', client_name: 'ResourceServerUse' });
  });
});
