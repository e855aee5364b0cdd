/**
 * The topology of `docker compose up` on loopback: the mock IAM, the echo backend and the gateway
 * each in its own process (`bin/start.ts --component X`, the image's entry), the gateway reaching
 * the others through the config's `links`. Plus the same choices in one process (`startComponents`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStackConfig, resolveLinks } from '../../common/config.js';
import { describeStack, parseComponents, startComponents, useCaseDeployments, type RunningComponents } from '../../stack/stack.js';
import { basic, defaultConfigObject, SEEDED } from '../support/iam.js';
import { freePort, ROOT, START, startChild, waitHealthy, type Child } from '../support/processes.js';


describe('each component in its own process (the docker compose topology on loopback)', () => {
  const ports = { iam: 0, gateway: 0, admin: 0, backend: 0 };
  const children: Record<'iam' | 'backend' | 'gateway', Child | undefined> = { iam: undefined, backend: undefined, gateway: undefined };
  let dir = '';
  const health = () => ({
    iam: `http://127.0.0.1:${ports.iam}/_harness/health`,
    gateway: `http://127.0.0.1:${ports.admin}/_harness/health`,
    backend: `http://127.0.0.1:${ports.backend}/_harness/health`,
  });

  beforeAll(async () => {
    ports.iam = await freePort();
    ports.gateway = await freePort();
    ports.admin = await freePort();
    ports.backend = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'harness-components-'));
    // Layered like the compose services (default + compose layer), then this test's layer: the
    // service names become loopback ports, keys stay in memory, no deployment file (the compose
    // one names the service hosts).
    const overlay = join(dir, 'loopback.yaml');
    writeFileSync(
      overlay,
      [
        'links:',
        `  iamUrl: http://127.0.0.1:${ports.iam}`,
        `  backendUrl: http://127.0.0.1:${ports.backend}/`,
        'iam:',
        '  signingKeys:',
        '    file: ~',
        'gateway:',
        '  deployments: []',
        '',
      ].join('\n'),
    );
    const env = { HOST: '127.0.0.1', IAM_PORT: String(ports.iam), GATEWAY_PORT: String(ports.gateway), GATEWAY_ADMIN_PORT: String(ports.admin), BACKEND_PORT: String(ports.backend) };
    const configs = ['--config', 'config/default-stack.yaml', '--config', 'config/compose-stack.yaml', '--config', overlay];
    const deadline = Date.now() + 15_000;
    children.iam = startChild(['--component', 'iam', ...configs], env);
    children.backend = startChild(['--component', 'backend', ...configs], env);
    children.gateway = startChild(['--component', 'gateway', ...configs], env);
    await Promise.all([waitHealthy(health().iam, children.iam, deadline), waitHealthy(health().backend, children.backend, deadline), waitHealthy(health().gateway, children.gateway, deadline)]);
  });

  afterAll(async () => {
    for (const child of Object.values(children)) if (child && child.process.exitCode === null) child.process.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('each process serves only its own component and says so', async () => {
    expect(children.iam!.output()).toContain('oci-auth-harness: the mock IAM up');
    expect(children.iam!.output()).not.toContain('gateway data plane');
    expect(children.backend!.output()).toContain(`echo backend           http://127.0.0.1:${ports.backend}`);
    expect(children.backend!.output()).not.toContain('mock IAM (IDCS)');
    const gateway = children.gateway!.output();
    expect(gateway).toContain(`reaches the IAM at   http://127.0.0.1:${ports.iam}`);
    expect(gateway).toContain(`reaches the backend  http://127.0.0.1:${ports.backend}`);
    expect(gateway).toMatch(/\/test {2}use case 1/);
    expect(gateway).not.toContain('seeded clients');
    const componentAt = async (url: string) => ((await (await fetch(url)).json()) as { component: string }).component;
    expect(await componentAt(health().iam)).toBe('mock-iam');
    expect(await componentAt(health().backend)).toBe('echo-backend');
    expect(await componentAt(health().gateway)).toBe('gateway-control-plane');
  });

  it('the gateway alone serves /test/1 and /test2/1 with tokens of the IAM alone, which keep the configured issuer', async () => {
    const tokenOf = async (auth: string, form: Record<string, string>) => {
      const res = await fetch(`http://127.0.0.1:${ports.iam}/oauth2/v1/token`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { access_token: string }).access_token;
    };
    const cc = await tokenOf(basic(SEEDED.useCase1.id, SEEDED.useCase1.secret), { grant_type: 'client_credentials', scope: SEEDED.useCase1.scope });
    expect(decodeJwt(cc).iss).toBe('https://identity.oraclecloud.com/');
    const one = await fetch(`http://127.0.0.1:${ports.gateway}/test/1`, { headers: { authorization: `Bearer ${cc}` } });
    expect(one.status).toBe(200);
    expect(((await one.json()) as { path: string }).path).toBe('/anwendung1/1');

    const pw = await tokenOf(basic(SEEDED.useCase2.id, SEEDED.useCase2.secret), {
      grant_type: 'password',
      username: SEEDED.user.userName,
      password: SEEDED.user.password,
      scope: 'urn:opc:idm:__myscopes__',
    });
    const two = await fetch(`http://127.0.0.1:${ports.gateway}/test2/1`, { headers: { authorization: `Bearer ${pw}` } });
    expect(two.status).toBe(200);
    expect(((await two.json()) as { path: string }).path).toBe('/anwendung2/1');

    const none = await fetch(`http://127.0.0.1:${ports.gateway}/test/1`);
    expect(none.status).toBe(401);
  });

  it('bin/healthcheck.mjs: the URLs given, or the components of the running start processes', () => {
    const run = (...args: string[]) => spawnSync(process.execPath, ['bin/healthcheck.mjs', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
    const given = run(health().gateway);
    expect(given.status).toBe(0);
    expect(given.stdout).toContain(`up ${health().gateway}`);

    // No URL (the Dockerfile's HEALTHCHECK): each start process's --component and *_PORT environment.
    const found = run();
    for (const url of Object.values(health())) expect(found.stdout).toContain(`up ${url}`);

    const closed = run(`http://127.0.0.1:${ports.gateway}/nope`, 'http://127.0.0.1:9/_harness/health');
    expect(closed.status).toBe(1);
    expect(closed.stderr).toContain(`unhealthy http://127.0.0.1:${ports.gateway}/nope: HTTP 404`);
  });

  it('SIGTERM stops each process gracefully (exit 0)', async () => {
    const all = Object.entries(children) as Array<[string, Child]>;
    for (const [, child] of all) child.process.kill('SIGTERM');
    const codes = await Promise.all(all.map(([name, child]) => child.exited.then((code) => [name, code])));
    expect(Object.fromEntries(codes)).toEqual({ iam: 0, backend: 0, gateway: 0 });
    for (const [, child] of all) expect(child.output()).toContain('SIGTERM: stopping...');
  });
});

describe('--component', () => {
  it('takes iam, gateway, backend, all (default) or a comma-separated list', () => {
    expect(parseComponents(undefined)).toEqual(['iam', 'gateway', 'backend']);
    expect(parseComponents('all')).toEqual(['iam', 'gateway', 'backend']);
    expect(parseComponents('gateway')).toEqual(['gateway']);
    expect(parseComponents('backend,iam')).toEqual(['iam', 'backend']);
    expect(() => parseComponents('proxy')).toThrow('--component: "proxy" is not iam, gateway, backend, all (or a comma-separated list)');
  });

  it('an unknown component is refused with the usage (exit 2)', () => {
    const result = spawnSync(process.execPath, [...START, '--component', 'proxy'], { cwd: ROOT, encoding: 'utf8', timeout: 15_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: npm start -- [--config FILE]... [--component iam|gateway|backend|all]');
  });
});

describe('links: the use-case deployments from the config alone', () => {
  const config = (extra: Record<string, unknown> = {}) => {
    const raw = defaultConfigObject();
    return parseStackConfig({ ...raw, gateway: { ...raw.gateway, deployments: [] }, ...extra }, 'test');
  };

  it('default: this config host and ports; the issuer and audiences of the IAM section', () => {
    const [one, two] = useCaseDeployments(config({ host: '0.0.0.0' }));
    const auth1 = one!.specification.requestPolicies!.authentication as { issuers: string[]; audiences: string[]; publicKeys: { uri: string } };
    expect(auth1.publicKeys.uri).toBe('http://127.0.0.1:0/admin/v1/SigningCert/jwk');
    expect(auth1.issuers).toEqual(['https://identity.oraclecloud.com/']);
    expect(auth1.audiences).toEqual(['anwendung1']);
    expect((one!.specification.routes![0]!.backend as { url: string }).url).toBe('http://127.0.0.1:8081/anwendung1/1');
    const auth2 = two!.specification.requestPolicies!.authentication as { audiences: string[] };
    expect(auth2.audiences).toEqual([
      'https://idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9.eu-frankfurt-idcs-1.secure.identity.oraclecloud.com',
      'https://idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9.identity.oraclecloud.com',
      'urn:opc:lbaas:logicalguid=idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    ]);
  });

  it('links name where the gateway reaches the others; the issuer stays the configured one', () => {
    const c = config({ links: { iamUrl: 'http://mock-iam:8080/', backendUrl: 'https://echo-backend:8081' }, iam: { ...defaultConfigObject().iam, issuer: 'identity-domain' } });
    expect(resolveLinks(c)).toEqual({ iamUrl: 'http://mock-iam:8080', backendUrl: 'https://echo-backend:8081' });
    const [one] = useCaseDeployments(c);
    const auth = one!.specification.requestPolicies!.authentication as { issuers: string[]; publicKeys: { uri: string } };
    expect(auth.publicKeys.uri).toBe('http://mock-iam:8080/admin/v1/SigningCert/jwk');
    expect(auth.issuers).toEqual(['https://identity.oraclecloud.com']);
    expect((one!.specification.routes![0]!.backend as { url: string }).url).toBe('https://echo-backend:8081/anwendung1/1');
  });

  it('iam.baseUrl is the default link to the IAM; an IPv6 wildcard is reached on ::1', () => {
    const raw = defaultConfigObject();
    expect(resolveLinks(config({ iam: { ...raw.iam, baseUrl: 'http://iam.local:9999' } })).iamUrl).toBe('http://iam.local:9999');
    expect(resolveLinks(config({ host: '::' })).backendUrl).toBe('http://[::1]:8081');
  });

  it('links must be http(s) base URLs, named by field', () => {
    expect(() => config({ links: { iamUrl: 'mock-iam:8080', backendUrl: 'ftp://x', extra: 1 } })).toThrow(
      /links\.iamUrl: an http:\/\/ or https:\/\/ URL, e\.g\. http:\/\/mock-iam:8080\n {2}- links\.backendUrl: an http:\/\/ or https:\/\/ URL.*\n {2}- links: Unrecognized key: "extra"/,
    );
    expect(() => config({ links: { iamUrl: 'http://mock-iam:8080/?x=1' } })).toThrow('links.iamUrl: a base URL without query or fragment');
  });
});

describe('startComponents in one process', () => {
  let running: RunningComponents | undefined;
  afterAll(() => running?.stop());

  it('all in one process: links ignored, each component reached at its own (ephemeral) listener', async () => {
    const raw = defaultConfigObject();
    const config = parseStackConfig(
      { ...raw, links: { iamUrl: 'http://mock-iam:8080', backendUrl: 'http://echo-backend:8081' }, gateway: { ...raw.gateway, port: 0, adminPort: 0, deployments: [] }, backend: { port: 0 } },
      'test',
    );
    running = await startComponents(config);
    expect(running.links).toEqual({ iamUrl: running.iam!.url, backendUrl: running.backend!.url });
    const test = running.gateway!.store.active().find((d) => d.pathPrefix === '/test')!;
    expect((test.specification.requestPolicies!.authentication as { publicKeys: { uri: string } }).publicKeys.uri).toBe(`${running.iam!.url}/admin/v1/SigningCert/jwk`);
    expect(describeStack(running)).toContain('oci-auth-harness is up');
    expect(describeStack(running)).not.toContain('reaches the IAM');
  });

  it('the gateway alone with port-0 neighbours and no links is refused, naming the field', async () => {
    const raw = defaultConfigObject();
    const config = parseStackConfig({ ...raw, gateway: { ...raw.gateway, port: 0, adminPort: 0, deployments: [] }, backend: { port: 0 } }, 'test');
    await expect(startComponents(config, { components: ['gateway'] })).rejects.toThrow('the gateway runs without the mock IAM and its port is 0: set links.iamUrl to where it is');
  });
});
