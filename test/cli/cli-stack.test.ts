/**
 * `oci-auth-harness token`, `decode` and `explain` as a user runs them (child processes of
 * `node --import tsx cli/main.ts ...`) against a stack started here on free ports: output, exit
 * codes, and errors that say what to do. No output may carry an ANSI escape (not a terminal).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../stack/index.js';
import { freePort } from '../support/processes.js';
import { cli, noAnsi } from './support.js';
import { blogJwtAuthentication } from '../../gateway-emulator/spec/examples.js';



describe('against a running stack', () => {
  let harness: Harness;
  let iam: string[];
  let trapId: string;
  /** Where nothing listens. */
  let closed: string;

  beforeAll(async () => {
    closed = `http://127.0.0.1:${await freePort()}`;
    harness = await startHarness();
    iam = ['--iam', harness.urls.iam];
    // The blog's trap, pushed as a user would: verifyClaims scope = AnwendungReadA.
    const response = await fetch(`${harness.urls.controlPlane}/20190501/deployments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        displayName: 'the exact-match trap',
        pathPrefix: '/trap',
        specification: {
          requestPolicies: {
            authentication: blogJwtAuthentication(harness.urls.jwks, ['anwendung1'], {
              maxCacheDurationInHours: 1,
              verifyClaims: [{ key: 'scope', values: ['AnwendungReadA'], isRequired: true }],
            }),
          },
          routes: [{ path: '/1', methods: ['GET'], backend: { type: 'STOCK_RESPONSE_BACKEND', status: 200, body: 'ok' } }],
        },
      }),
    });
    expect(response.status).toBe(200);
    trapId = ((await response.json()) as { id: string }).id;
  });
  afterAll(async () => harness?.stop());

  /** A token fetched here (not through the CLI), for the commands that take one. */
  const fetchToken = async (scope: string): Promise<string> => {
    const response = await fetch(harness.urls.token, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('usecase1_client:usecase1-client-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
    });
    return ((await response.json()) as { access_token: string }).access_token;
  };

  const token = async (...args: string[]) => {
    const r = await cli(['token', ...args, ...iam]);
    expect(noAnsi(r).code, r.stderr).toBe(0);
    return r;
  };

  it('token: only the token on standard output (TOKEN=$(...) works); a user (password grant) with --json: the whole answer; a refresh from standard input', async () => {
    const [cc, json] = await Promise.all([
      token('--client', 'usecase1_client', '--scope', 'anwendung1AnwendungReadA'),
      token('--user', 'usecase2.user', '--scope', 'urn:opc:idm:__myscopes__ offline_access', '--json'),
    ]);
    expect(cc.stdout).toMatch(/^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+\n$/);
    expect(cc.stderr).toBe('');
    const claims = JSON.parse(Buffer.from(cc.stdout.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ sub: 'usecase1_client', aud: 'anwendung1', scope: 'AnwendungReadA' });
    // The password grant (the user's client and password from the config), its whole answer with --json.
    const answer = JSON.parse(json.stdout) as { access_token: string; refresh_token: string };
    const userClaims = JSON.parse(Buffer.from(answer.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(userClaims).toMatchObject({ sub: 'usecase2.user', sub_type: 'user', client_id: 'usecase2_client', APIGWMichael4: 'Api1Access' });
    // The refresh grant, with the refresh token from standard input.
    const refreshed = await cli(['token', '--refresh', '-', '--client', 'usecase2_client', ...iam], { stdin: answer.refresh_token });
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(JSON.parse(Buffer.from(refreshed.stdout.split('.')[1]!, 'base64url').toString())).toMatchObject({ sub: 'usecase2.user', gtp: 'rt' });
  });

  it("token: the IAM's refusal with its OAuth error and x-harness-reason, exit 1; an IAM that is not there, exit 1 saying what to do", async () => {
    const [short, nowhere, unknownClient] = await Promise.all([
      cli(['token', '--client', 'usecase1_client', '--scope', 'AnwendungReadA', ...iam]),
      cli(['token', '--client', 'usecase1_client', '--iam', closed]),
      cli(['token', '--client', 'nobody', ...iam]),
    ]);
    expect(noAnsi(short).code).toBe(1);
    expect(short.stdout).toBe('');
    expect(short.stderr).toContain('the IAM refused the client_credentials request (HTTP 400): invalid_scope: Invalid scope.');
    expect(short.stderr).toContain('why: "AnwendungReadA" is a short scope name; request the fully qualified scope "anwendung1AnwendungReadA"');
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain(`cannot reach the mock IAM at ${closed} (ECONNREFUSED): start the stack with \`oci-auth-harness start\``);
    expect(unknownClient.code).toBe(2);
    expect(unknownClient.stderr).toContain('no client "nobody" in config/default-stack.yaml (its clients: harness-admin, usecase1_client, usecase2_client): pass --client-secret');
  });

  it('decode: claims explained, dates with "expires in", signature checked against the IAM (0), a tampered one from standard input (1), no JWKS reachable (0, not checked); --json', async () => {
    const jwt = await fetchToken('anwendung1AnwendungReadA');
    const tampered = `${jwt.split('.').slice(0, 2).join('.')}.${Buffer.alloc(256, 1).toString('base64url')}`;
    const [valid, invalid, unchecked, json] = await Promise.all([
      cli(['decode', jwt, ...iam]),
      cli(['decode', '-', ...iam], { stdin: `${tampered}\n` }),
      cli(['decode', jwt, '--iam', closed]),
      cli(['decode', jwt, '--jwks', harness.urls.jwks, '--json']),
    ]);
    expect(noAnsi(valid).code, valid.stderr).toBe(0);
    expect(valid.stdout).toMatch(/^header\n/);
    expect(valid.stdout).toMatch(/^ {2}kid +"SIGNING_KEY"$/m);
    expect(valid.stdout).toMatch(/^ {2}scope +"AnwendungReadA"$/m);
    expect(valid.stdout).toContain('verifyClaims on \'scope\' compares this whole string');
    expect(valid.stdout).toMatch(/^ {2}exp +\d+ {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z \(expires in (59|60) min\)$/m);
    expect(valid.stdout).toMatch(/^✓ signature valid: RS256 signature verified with the key "SIGNING_KEY" of the JWKS at /m);
    expect(noAnsi(invalid).code).toBe(1);
    expect(invalid.stdout).toContain('✗ signature INVALID: the RS256 signature does not verify');
    expect(invalid.stdout).toMatch(/^ {2}scope +"AnwendungReadA"$/m); // read from standard input
    expect(unchecked.code).toBe(0);
    expect(unchecked.stdout).toContain("signature not checked: the local IAM's JWKS is not available");
    expect(unchecked.stdout).toContain('pass --jwks URL|FILE');
    expect(JSON.parse(json.stdout)).toMatchObject({ claims: { sub: 'usecase1_client' }, signature: { checked: true, valid: true, kid: 'SIGNING_KEY' } });
  });

  it('token --decode prints the inspection instead of the token', async () => {
    const r = await token('--client', 'usecase1_client', '--scope', 'anwendung1AnwendungReadA anwendung1AnwendungWriteA', '--decode');
    expect(r.stdout).toMatch(/^ {2}scope +"AnwendungReadA AnwendungWriteA"$/m);
    expect(r.stdout).toContain('✓ signature valid');
  });

  it('explain: the exact-match trap from the running control plane by id (exit 1), the use-case deployment by path prefix (exit 0), --json; every active deployment when none is named', async () => {
    const twoScopes = await fetchToken('anwendung1AnwendungReadA anwendung1AnwendungWriteA');
    const cp = ['--control-plane', harness.urls.controlPlane];
    const [trap, accepted, json, all] = await Promise.all([
      cli(['explain', '--deployment', trapId, '--path', '/trap/1', '--token', twoScopes, ...cp]),
      cli(['explain', '--deployment', '/test', '--path', '/test/1', '--token', twoScopes, ...cp]),
      cli(['explain', '--deployment', '/test', '--path', '/test/1', '--token', twoScopes, '--json', ...cp]),
      cli(['explain', '--path', '/test2/1', '--token', twoScopes, ...cp]),
    ]);
    expect(noAnsi(trap).code, trap.stderr).toBe(1);
    expect(trap.stdout).toMatch(/^REFUSED 401 Unauthorized by authentication\.verifyClaims: JWT token does not have the expected claim value for 'scope'\.\n {2}expected \["AnwendungReadA"\]\n {2}found {4}"AnwendungReadA AnwendungWriteA"\n/);
    expect(trap.stdout).toContain('what to do: verifyClaims compares the whole claim value as one string (the exact-match trap)');
    expect(trap.stdout).toContain(`GET /trap/1  →  deployment /trap (${trapId}), route /1`);
    expect(trap.stdout).toMatch(/^ {2}✓ route +matched \/trap\/1$/m);
    expect(trap.stdout).toMatch(/^ {2}✓ authentication\.aud +JWT token issued for a configured audience\.$/m);

    expect(noAnsi(accepted).code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toMatch(/^ACCEPTED → backend GET http:\/\/127\.0\.0\.1:\d+\/anwendung1\/1\n/);
    expect(accepted.stdout).toMatch(/^ {2}✓ authorization +Authorization passed: the allowed scope AnwendungReadA is in/m);

    expect(json.code).toBe(0);
    const decision = JSON.parse(json.stdout) as { outcome: string; checks: Array<{ check: string; passed: boolean }>; plan: { kind: string; call: { url: string } } };
    expect(decision.outcome).toBe('accepted');
    expect(decision.plan.kind).toBe('http');
    expect(decision.checks.every((c) => c.passed)).toBe(true);

    // No --deployment: every active deployment, as the gateway routes; /test2 wants the domain's audiences.
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/^REFUSED 401 Unauthorized by authentication\.aud: JWT token not issued for the configured audience\./);
  });

  it('explain: an id the control plane does not know, or no control plane at all: exit 2 saying what to do', async () => {
    const [unknown, nowhere] = await Promise.all([
      cli(['explain', '--deployment', 'ocid1.apideployment.oc1..nope', '--path', '/x/1', '--control-plane', harness.urls.controlPlane]),
      cli(['explain', '--deployment', '/test', '--path', '/test/1', '--control-plane', closed]),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain(`the control plane at ${harness.urls.controlPlane} has no deployment "ocid1.apideployment.oc1..nope"`);
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain(`cannot reach the gateway's control plane at ${closed} (ECONNREFUSED): give a deployment file with --deployment FILE`);
  });
});
