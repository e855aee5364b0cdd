import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  CUSTOM_USER_SCHEMA,
  DEFAULT_CONFIG_FILE,
  ISSUER_PRESETS,
  loadStackConfig,
  parseStackConfig,
  resolveIssuer,
} from '../../common/config.js';
import { defaultConfigObject } from '../support/iam.js';

/** Runs `f`, expects a ConfigError and returns it. */
function configError(f: () => unknown): ConfigError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError, got none');
}

/** A minimal config with one resource server and one client holding its scope. */
function minimal(): Record<string, any> {
  return {
    iam: {
      apps: [
        { name: 'rs', displayName: 'RS', isOAuthResource: true, audience: 'aud1', scopes: [{ value: 'Read' }] },
        { name: 'cl', displayName: 'CL', isOAuthClient: true, clientSecret: 's', allowedScopes: [{ fqs: 'aud1Read' }] },
      ],
    },
  };
}

describe('parseStackConfig: field errors name the path and the reason', () => {
  it('names iam.apps[1].allowedGrants[0] for an unknown grant', () => {
    const raw = defaultConfigObject();
    raw.iam.apps[1].allowedGrants = ['bogus'];
    const err = configError(() => parseStackConfig(raw, 'my-source'));
    expect(err.source).toBe('my-source');
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^iam\.apps\[1\]\.allowedGrants\[0\]: Invalid option: expected one of "client_credentials"\|/);
    expect(err.message).toContain('Invalid stack config (my-source):\n  - iam.apps[1].allowedGrants[0]: ');
  });

  it('names an unknown app role with the roles IDCS has', () => {
    const raw = defaultConfigObject();
    raw.iam.apps[0].grantedAppRoles = ['Identity Domain Administrator', 'Domain God'];
    const problems = configError(() => parseStackConfig(raw, 't')).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^iam\.apps\[0\]\.grantedAppRoles\[1\]: Invalid option: expected one of "Identity Domain Administrator"\|/);
  });

  it('names iam.tenant with the expected shape', () => {
    const raw = defaultConfigObject();
    raw.iam.tenant = 'idcs-XYZ';
    expect(configError(() => parseStackConfig(raw, 't')).problems).toEqual(['iam.tenant: idcs- followed by 32 lowercase hex digits']);
  });

  it('rejects unknown keys at every level (strict objects)', () => {
    const raw = defaultConfigObject();
    raw.extra = 1;
    raw.iam.foo = 2;
    raw.iam.apps[0].bar = 3;
    raw.iam.signingKeys.baz = 4;
    raw.iam.users[0].name.middleName = 'x';
    raw.iam.apps[1].scopes[0].fqs = 'nope';
    raw.gateway.host = 'h';
    const problems = configError(() => parseStackConfig(raw, 't')).problems;
    expect([...problems].sort()).toEqual(
      [
        '(root): Unrecognized key: "extra"',
        'iam: Unrecognized key: "foo"',
        'iam.apps[0]: Unrecognized key: "bar"',
        'iam.signingKeys: Unrecognized key: "baz"',
        'iam.users[0].name: Unrecognized key: "middleName"',
        'iam.apps[1].scopes[0]: Unrecognized key: "fqs"',
        'gateway: Unrecognized key: "host"',
      ].sort(),
    );
  });

  it('rejects a root that is not a mapping', () => {
    expect(configError(() => parseStackConfig([], 'r')).problems).toEqual(['(root): must be a mapping of sections (host, links, iam, gateway, backend, ociApiKeys)']);
    expect(configError(() => parseStackConfig('text', 'r')).problems).toEqual(['(root): must be a mapping of sections (host, links, iam, gateway, backend, ociApiKeys)']);
  });

  it('fills every default from an empty document', () => {
    const config = parseStackConfig(null, 'empty');
    expect(config.host).toBe('127.0.0.1');
    expect(config.iam).toMatchObject({
      port: 8080,
      issuer: 'idcs',
      tenant: 'idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
      region: 'eu-frankfurt-1',
      accessTokenExpiry: 3600,
      refreshTokenExpiry: 604_800,
      signingKeys: { activeKid: 'SIGNING_KEY', retiredKids: [] },
      settings: { signingCertPublicAccess: false },
      apps: [],
      users: [],
      customClaims: [],
    });
    expect(config.gateway).toEqual({ port: 8000, adminPort: 8001, deployments: [], functions: {}, explainRefusals: false, decisionLogSize: 100, useCaseDeployments: false });
    expect(config.backend).toEqual({ port: 8081 });
  });

  it('does not change the raw object it was given', () => {
    const raw = minimal();
    const before = JSON.stringify(raw);
    parseStackConfig(raw, 't', { IAM_PORT: '1234' });
    expect(JSON.stringify(raw)).toBe(before);
  });
});

describe('parseStackConfig: cross-field rules', () => {
  it('rejects a duplicate app name, naming both indexes', () => {
    const raw = minimal();
    raw.iam.apps.push({ name: 'rs', displayName: 'again' });
    expect(configError(() => parseStackConfig(raw, 't')).problems).toEqual(['iam.apps[2].name: "rs" is already the name of iam.apps[0]']);
  });

  it('rejects a resource server without audience', () => {
    const raw = minimal();
    delete raw.iam.apps[0].audience;
    const problems = configError(() => parseStackConfig(raw, 't')).problems;
    expect(problems).toContain('iam.apps[0].audience: a resource server (isOAuthResource: true) needs an audience');
  });

  it('rejects a confidential client without secret or certificate', () => {
    const raw = minimal();
    delete raw.iam.apps[1].clientSecret;
    expect(configError(() => parseStackConfig(raw, 't')).problems).toEqual([
      'iam.apps[1].clientSecret: a confidential client needs a clientSecret or certificates',
    ]);
    raw.iam.apps[1].clientType = 'public';
    expect(parseStackConfig(raw, 't').iam.apps[1]!.clientType).toBe('public');
  });

  it('rejects an allowedScopes fqs that is no resource audience + scope', () => {
    const raw = minimal();
    raw.iam.apps[1].allowedScopes.push({ fqs: 'Read' }, { fqs: 'aud1/Read' });
    expect(configError(() => parseStackConfig(raw, 't')).problems).toEqual([
      'iam.apps[1].allowedScopes[1].fqs: "Read" is no resource server\'s audience + scope value',
      'iam.apps[1].allowedScopes[2].fqs: "aud1/Read" is no resource server\'s audience + scope value',
    ]);
  });

  it('does not count the scopes of an app that is not a resource server', () => {
    const raw = minimal();
    raw.iam.apps[0].isOAuthResource = false;
    expect(configError(() => parseStackConfig(raw, 't')).problems).toEqual([
      'iam.apps[1].allowedScopes[0].fqs: "aud1Read" is no resource server\'s audience + scope value',
    ]);
  });

  it('rejects a user custom attribute that is not in customUserSchemaAttributes', () => {
    const raw = defaultConfigObject();
    raw.iam.users[0][CUSTOM_USER_SCHEMA].Unknown = 'x';
    expect(configError(() => parseStackConfig(raw, 't')).problems).toEqual([
      `iam.users[0].${CUSTOM_USER_SCHEMA}.Unknown: no such attribute in iam.customUserSchemaAttributes`,
    ]);
  });

  it('rejects a second user with the same userName in another case', () => {
    const raw = defaultConfigObject();
    raw.iam.users.push({ userName: 'USECASE2.user' });
    expect(configError(() => parseStackConfig(raw, 't')).problems).toEqual(['iam.users[1].userName: "USECASE2.user" is used twice']);
  });

  it('rejects a custom claim with neither allScopes nor scopes', () => {
    const raw = minimal();
    raw.iam.customClaims = [{ name: 'c', value: 'v' }];
    expect(configError(() => parseStackConfig(raw, 't')).problems).toEqual([
      'iam.customClaims[0].scopes: set allScopes: true or list at least one fully qualified scope',
    ]);
  });

  it('rejects a custom claim scope that is no FQS', () => {
    const raw = minimal();
    raw.iam.customClaims = [{ name: 'c', value: 'v', scopes: ['aud1Read', 'Read'] }];
    expect(configError(() => parseStackConfig(raw, 't')).problems).toEqual([
      'iam.customClaims[0].scopes[1]: "Read" is no resource server\'s audience + scope value (IDCS then answers invalid_scope)',
    ]);
  });

  it('accepts mode: ALWAYS and keeps it lowercase; rejects an unknown mode', () => {
    const raw = minimal();
    raw.iam.customClaims = [
      { name: 'a', value: 'v', mode: 'ALWAYS', allScopes: true },
      { name: 'b', value: 'v', mode: 'Request', scopes: ['aud1Read'] },
      { name: 'c', value: 'v', allScopes: true },
    ];
    const claims = parseStackConfig(raw, 't').iam.customClaims;
    expect(claims.map((c) => c.mode)).toEqual(['always', 'request', 'always']);
    expect(claims[2]).toEqual({ name: 'c', value: 'v', expression: false, mode: 'always', tokenType: 'AT', allScopes: true, scopes: [] });
    raw.iam.customClaims = [{ name: 'a', value: 'v', mode: 'sometimes', allScopes: true }];
    expect(configError(() => parseStackConfig(raw, 't')).problems).toEqual([
      'iam.customClaims[0].mode: Invalid option: expected one of "always"|"request"|"never"',
    ]);
  });
});

describe('parseStackConfig: environment', () => {
  it('IAM_PORT=abc is an error naming IAM_PORT', () => {
    const err = configError(() => parseStackConfig(minimal(), 'env-src', { IAM_PORT: 'abc' }));
    expect(err.source).toBe('env-src');
    expect(err.problems).toEqual(['environment IAM_PORT: "abc" is not a port number']);
  });

  it('a port above 65535 is an error; every bad variable is listed', () => {
    expect(configError(() => parseStackConfig(minimal(), 't', { GATEWAY_PORT: '65536', BACKEND_PORT: '-1' })).problems).toEqual([
      'environment GATEWAY_PORT: "65536" is not a port number',
      'environment BACKEND_PORT: "-1" is not a port number',
    ]);
  });

  it('IAM_PORT=9999 overrides iam.port; the other ports and HOST override theirs', () => {
    const raw = minimal();
    raw.iam.port = 1111;
    raw.host = 'example.internal';
    const config = parseStackConfig(raw, 't', { IAM_PORT: '9999', GATEWAY_PORT: '7000', GATEWAY_ADMIN_PORT: '7001', BACKEND_PORT: '7002', HOST: '0.0.0.0' });
    expect(config.iam.port).toBe(9999);
    expect(config.gateway).toMatchObject({ port: 7000, adminPort: 7001 });
    expect(config.backend).toEqual({ port: 7002 });
    expect(config.host).toBe('0.0.0.0');
  });

  it('empty environment values are ignored', () => {
    const raw = minimal();
    raw.iam.port = 1111;
    const config = parseStackConfig(raw, 't', { IAM_PORT: '', HOST: '' });
    expect(config.iam.port).toBe(1111);
    expect(config.host).toBe('127.0.0.1');
  });

  it('IAM_PORT applies when the file has no iam section', () => {
    expect(parseStackConfig({}, 't', { IAM_PORT: '4321' }).iam.port).toBe(4321);
  });

  // A wrongly typed section must still give a ConfigError naming the field, not a TypeError
  // from writing the environment port into a string.
  it('a non-mapping iam section with IAM_PORT set gives a ConfigError naming iam', () => {
    const err = configError(() => parseStackConfig({ iam: 'oops' }, 't', { IAM_PORT: '9000' }));
    expect(err.problems).toHaveLength(1);
    expect(err.problems[0]).toMatch(/^iam: /);
  });
});

describe('loadStackConfig', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'unit-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('loads the checked-in default stack config cleanly', () => {
    const config = loadStackConfig(DEFAULT_CONFIG_FILE, {});
    expect(config.host).toBe('127.0.0.1');
    expect(config.iam.port).toBe(8080);
    expect(config.iam.apps.map((a) => a.name)).toEqual(['harness-admin', 'anwendung1_resource_server', 'usecase1_client', 'usecase2_client']);
    expect(config.iam.users.map((u) => u.userName)).toEqual(['usecase2.user']);
    expect(config.iam.customClaims.map((c) => [c.name, c.mode, c.tokenType, c.allScopes])).toEqual([['APIGWMichael4', 'always', 'AT', true]]);
    expect(config.iam.settings.signingCertPublicAccess).toBe(true);
    // `../.harness/signing-keys.json` relative to config/ is the project's .harness folder.
    expect(config.iam.signingKeys.file).toBe(join(DEFAULT_CONFIG_FILE, '..', '..', '.harness', 'signing-keys.json'));
  });

  it('resolves a relative signingKeys.file against the config file folder, keeps an absolute one', () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const rel = write('sub/rel.yaml', 'iam:\n  signingKeys:\n    file: keys/k.json\n');
    expect(loadStackConfig(rel, {}).iam.signingKeys.file).toBe(join(dir, 'sub', 'keys', 'k.json'));
    const abs = write('abs.yaml', 'iam:\n  signingKeys:\n    file: /var/keys.json\n');
    expect(loadStackConfig(abs, {}).iam.signingKeys.file).toBe('/var/keys.json');
    const none = write('none.yaml', 'host: h\n');
    expect(loadStackConfig(none, {}).iam.signingKeys.file).toBeUndefined();
  });

  it('gives the line of a duplicate key', () => {
    const file = write('dup.yaml', 'host: a\niam:\n  port: 1\n  port: 2\n');
    const err = configError(() => loadStackConfig(file, {}));
    expect(err.source).toBe(file);
    expect(err.problems).toEqual(['line 4: Map keys must be unique at line 4, column 3:']);
  });

  it('gives the line of a YAML syntax error', () => {
    const file = write('syntax.yaml', 'iam:\n  apps: [1, 2\nhost: b\n');
    const err = configError(() => loadStackConfig(file, {}));
    expect(err.source).toBe(file);
    expect(err.problems.length).toBeGreaterThan(0);
    expect(err.problems[0]).toMatch(/^line 3: /);
  });

  it('names an unreadable file', () => {
    const file = join(dir, 'missing.yaml');
    const err = configError(() => loadStackConfig(file, {}));
    expect(err.source).toBe(file);
    expect(err.problems).toEqual([`cannot read the file: ENOENT: no such file or directory, open '${file}'`]);
    expect(err.message).toContain(`Invalid stack config (${file})`);
  });

  it('reports schema errors with the file as source, and applies the environment', () => {
    const bad = write('bad.yaml', 'iam:\n  tenant: nope\n');
    const err = configError(() => loadStackConfig(bad, {}));
    expect(err.source).toBe(bad);
    expect(err.problems).toEqual(['iam.tenant: idcs- followed by 32 lowercase hex digits']);
    const good = write('good.yaml', 'host: filehost\niam:\n  port: 1\n');
    const config = loadStackConfig(good, { IAM_PORT: '2', HOST: 'envhost' });
    expect(config.iam.port).toBe(2);
    expect(config.host).toBe('envhost');
  });
});

describe('resolveIssuer', () => {
  it('resolves the two presets', () => {
    expect(resolveIssuer('idcs')).toBe('https://identity.oraclecloud.com/');
    expect(resolveIssuer('identity-domain')).toBe('https://identity.oraclecloud.com');
    expect(ISSUER_PRESETS.idcs).toBe('https://identity.oraclecloud.com/');
  });

  it('keeps an explicit issuer verbatim', () => {
    expect(resolveIssuer('https://idcs-abc.identity.oraclecloud.com/')).toBe('https://idcs-abc.identity.oraclecloud.com/');
    expect(resolveIssuer('IDCS')).toBe('IDCS');
  });

  // `issuer in ISSUER_PRESETS` also finds Object.prototype members.
  it('keeps an explicit issuer verbatim even when it names an Object.prototype member', () => {
    expect(resolveIssuer('constructor')).toBe('constructor');
    expect(resolveIssuer('toString')).toBe('toString');
  });
});
