/**
 * The deployment specification validator: every limit and rule of OCI API Gateway's reference
 * (§1, §6) as the exact problem string a user sees, the defaults written into the value, specs
 * written exactly as OCI's docs, the katacoda CLI scenario and the source blog write them, all
 * problems at once, and hostile input refused quickly without an exception.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantIdentity } from '../../mock-iam/iam-context.js';
import {
  BLOG_ISSUER,
  blogUseCase1Deployment,
  blogUseCase1WithScope,
  blogUseCase2Deployment,
  blogUseCase2WithClaim,
  identityDomainAudiences,
} from '../../gateway-emulator/spec/examples.js';
import { emulationNotes } from '../../gateway-emulator/spec/emulation-notes.js';
import { parseRoutePath } from '../../gateway-emulator/spec/paths.js';
import { validateDeployment, validateSpecification } from '../../gateway-emulator/spec/validate.js';
import { toWireSpecification } from '../../gateway-emulator/spec/wire.js';
import { SEEDED, basic, decodeJwtParts, startTestIam, testConfig, tokenRequest, type TestIam } from '../support/iam.js';

const JWKS = 'http://127.0.0.1:8080/admin/v1/SigningCert/jwk';
const ECHO = 'http://127.0.0.1:8081/echo';
const FN = 'ocid1.fnfunc.oc1.phx.aaaaaaaaab______xmq';
const A = 'specification.requestPolicies.authentication';
const R0 = 'specification.routes[0]';

/** A minimal valid specification: one route to an HTTP backend. */
function minimal(): any {
  return { routes: [{ path: '/1', backend: { type: 'HTTP_BACKEND', url: ECHO } }] };
}

/** The blog's use case 1 specification (JWT_AUTHENTICATION, REMOTE_JWKS) as raw input. */
function jwt(): any {
  return structuredClone(blogUseCase1Deployment(JWKS, ECHO).specification) as any;
}

function tokenAuth(): any {
  const spec = minimal();
  spec.requestPolicies = {
    authentication: {
      type: 'TOKEN_AUTHENTICATION',
      tokenHeader: 'Authorization',
      tokenAuthScheme: 'Bearer',
      validationPolicy: { type: 'REMOTE_JWKS', uri: JWKS },
    },
  };
  return spec;
}

function customAuth(): any {
  const spec = minimal();
  spec.requestPolicies = { authentication: { type: 'CUSTOM_AUTHENTICATION', functionId: FN, tokenHeader: 'Authorization' } };
  return spec;
}

function problems(raw: unknown): string[] {
  const r = validateSpecification(raw);
  return r.ok ? [] : r.problems;
}

function valid(raw: unknown): any {
  const r = validateSpecification(raw);
  if (!r.ok) throw new Error(`expected a valid specification:\n${r.problems.join('\n')}`);
  return r.value;
}

/** Applies `change` to a copy of `base()` and returns its problems. */
function problemsAfter(base: () => any, change: (spec: any) => void): string[] {
  const spec = base();
  change(spec);
  return problems(spec);
}

let rsa2048: { pem: string; n: string; e: string };
let rsa1024: { pem: string; n: string; e: string };
let ecPem: string;

beforeAll(() => {
  const rsa = (bits: number) => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: bits });
    const jwk = publicKey.export({ format: 'jwk' });
    return { pem: publicKey.export({ type: 'spki', format: 'pem' }).toString(), n: jwk.n!, e: jwk.e! };
  };
  rsa2048 = rsa(2048);
  rsa1024 = rsa(1024);
  ecPem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
});

describe('specs written as OCI, the katacoda CLI scenario and the blog write them validate', () => {
  it('the docs\' JWT_AUTHENTICATION example with a static JSON web key and an ANY_OF route', () => {
    const spec = {
      requestPolicies: {
        authentication: {
          type: 'JWT_AUTHENTICATION',
          isAnonymousAccessAllowed: false,
          issuers: ['https://identity.oraclecloud.com/'],
          tokenHeader: 'Authorization',
          tokenAuthScheme: 'Bearer',
          audiences: ['api.dev.io'],
          publicKeys: {
            type: 'STATIC_KEYS',
            keys: [{ format: 'JSON_WEB_KEY', kid: 'master_key', kty: 'RSA', n: rsa2048.n, e: rsa2048.e, alg: 'RS256', use: 'sig', key_ops: ['verify'] }],
          },
          verifyClaims: [{ key: 'is_admin', values: ['service:app', 'read:hello'], isRequired: true }],
          maxClockSkewInSeconds: 10,
        },
      },
      routes: [
        {
          path: '/hello',
          methods: ['GET'],
          backend: { type: 'ORACLE_FUNCTIONS_BACKEND', functionId: FN },
          requestPolicies: { authorization: { type: 'ANY_OF', allowedScope: ['cartoon'] } },
        },
      ],
    };
    const value = valid(spec);
    expect(value.requestPolicies.authentication.publicKeys.keys[0]).toEqual({
      format: 'JSON_WEB_KEY', kid: 'master_key', kty: 'RSA', n: rsa2048.n, e: rsa2048.e, alg: 'RS256', use: 'sig', keyOps: ['verify'],
    });
    expect(value.requestPolicies.authentication.publicKeys.keys[0]).not.toHaveProperty('key_ops');
  });

  it('the docs\' TOKEN_AUTHENTICATION example with REMOTE_JWKS and an additional validation policy', () => {
    const value = valid({
      requestPolicies: {
        authentication: {
          type: 'TOKEN_AUTHENTICATION',
          tokenHeader: 'Authorization',
          tokenAuthScheme: 'Bearer',
          isAnonymousAccessAllowed: false,
          maxClockSkewInSeconds: 10,
          validationPolicy: {
            type: 'REMOTE_JWKS',
            uri: 'https://www.somejwksprovider.com/oauth2/v3/certs',
            isSslVerifyDisabled: false,
            maxCacheDurationInHours: 2,
            additionalValidationPolicy: {
              issuers: ['https://identity.oraclecloud.com/'],
              audiences: ['api.dev.io'],
              verifyClaims: [{ key: 'is_admin', values: ['service:app', 'read:hello'], isRequired: true }],
            },
          },
        },
      },
      routes: [
        {
          path: '/hello',
          methods: ['GET'],
          backend: { type: 'ORACLE_FUNCTIONS_BACKEND', functionId: FN },
          requestPolicies: { authorization: { type: 'ANY_OF', allowedScope: ['cartoon'] } },
        },
      ],
    });
    expect(value.requestPolicies.authentication.validationPolicy.maxCacheDurationInHours).toBe(2);
  });

  it('the docs\' PEM static key, CORS, header transformation and validation examples', () => {
    valid({
      requestPolicies: {
        authentication: {
          type: 'JWT_AUTHENTICATION',
          tokenQueryParam: 'token',
          issuers: ['https://identity.oraclecloud.com/'],
          audiences: ['api.dev.io'],
          publicKeys: { type: 'STATIC_KEYS', keys: [{ format: 'PEM', kid: 'master_key', key: rsa2048.pem }] },
        },
        cors: { allowedOrigins: ['*', 'https://oracle.com'], allowedMethods: ['*'], allowedHeaders: [], exposedHeaders: [], isAllowCredentialsEnabled: false, maxAgeInSeconds: 3000 },
        rateLimiting: { rateKey: 'CLIENT_IP', rateInRequestsPerSecond: 10 },
      },
      routes: [
        {
          path: '/hello/{generic_welcome*}',
          methods: ['GET', 'POST'],
          backend: { type: 'HTTP_BACKEND', url: 'https://api.weather.gov/${request.path[generic_welcome]}', connectTimeoutInSeconds: 45, readTimeoutInSeconds: 15, sendTimeoutInSeconds: 15, isSslVerifyDisabled: false },
          requestPolicies: {
            headerTransformations: {
              setHeaders: { items: [{ name: 'X-Username', values: ['${request.auth[sub]}'], ifExists: 'OVERWRITE' }] },
              renameHeaders: { items: [{ from: 'X-Api-Key', to: 'X-Client-Key' }] },
            },
            headerValidations: { headers: [{ name: 'header-1', required: true }], validationMode: 'ENFORCING' },
            queryParameterValidations: { parameters: [{ name: 'vehicle-type', required: true }], validationMode: 'ENFORCING' },
            bodyValidation: { required: true, content: { 'application/json': { validationType: 'NONE' }, 'text/*': { validationType: 'NONE' } }, validationMode: 'ENFORCING' },
          },
        },
      ],
    });
  });

  it('katacoda step 3 (stock response and HTTP backends) as `oci api-gateway deployment update --specification` takes it', () => {
    const value = valid({
      routes: [
        { path: '/stock', methods: ['GET'], backend: { type: 'STOCK_RESPONSE_BACKEND', body: '{"special_key":"Special Value"}', headers: [], status: 200 } },
        { path: '/search', methods: ['GET'], backend: { type: 'HTTP_BACKEND', url: 'https://www.startpage.com/' } },
        {
          path: '/countries',
          methods: ['GET'],
          backend: { type: 'HTTP_BACKEND', url: 'https://gist.githubusercontent.com/keeguon/2310008/raw/bdc2ce1c1e3f28f9cab5b4393c7549f38361be4e/countries.json' },
        },
      ],
    });
    expect(value.routes[1].backend).toEqual({
      type: 'HTTP_BACKEND', url: 'https://www.startpage.com/', connectTimeoutInSeconds: 60, readTimeoutInSeconds: 10, sendTimeoutInSeconds: 10, isSslVerifyDisabled: false,
    });
  });

  it('katacoda step 4 (a functions backend) with the function OCID filled in; the placeholder itself is refused', () => {
    const step4 = (functionId: string) => ({
      routes: [
        { path: '/hello', methods: ['GET', 'POST'], backend: { type: 'ORACLE_FUNCTIONS_BACKEND', functionId } },
        { path: '/stock', methods: ['GET'], backend: { type: 'STOCK_RESPONSE_BACKEND', body: '{"special_key":"Special Value"}', headers: [], status: 200 } },
        { path: '/search', methods: ['GET'], backend: { type: 'HTTP_BACKEND', url: 'https://www.startpage.com/' } },
      ],
    });
    valid(step4('ocid1.fnfunc.oc1.iad.aaaaaaaaacq5ntvclkafnmz4lftkesq2ijsrtqpbzyyuq7xorqcqs24h5dxa'));
    expect(problems(step4('function ocid'))).toEqual([
      `${R0}.backend.functionId: must be an OCID (ocid1.fnfunc.<realm>.<region>.<id>); got "function ocid"`,
    ]);
  });

  it('the blog\'s /test deployment (use case 1) validates, with OCI\'s defaults filled in', () => {
    const r = validateDeployment(blogUseCase1Deployment(JWKS, ECHO));
    expect(r).toEqual({
      ok: true,
      value: {
        pathPrefix: '/test',
        specification: {
          requestPolicies: {
            authentication: {
              type: 'JWT_AUTHENTICATION',
              isAnonymousAccessAllowed: false,
              tokenHeader: 'Authorization',
              tokenAuthScheme: 'Bearer',
              maxClockSkewInSeconds: 0,
              issuers: ['https://identity.oraclecloud.com/'],
              audiences: ['anwendung1'],
              publicKeys: { type: 'REMOTE_JWKS', uri: JWKS, isSslVerifyDisabled: false, maxCacheDurationInHours: 1 },
            },
          },
          routes: [
            {
              path: '/1',
              methods: ['GET'],
              backend: { type: 'HTTP_BACKEND', url: ECHO, connectTimeoutInSeconds: 60, readTimeoutInSeconds: 10, sendTimeoutInSeconds: 10, isSslVerifyDisabled: false },
            },
          ],
        },
      },
    });
  });

  it('the blog\'s optional steps validate: ANY_OF per route (use case 1) and the custom claim (use case 2)', () => {
    const withScope = validateDeployment(blogUseCase1WithScope(JWKS, ECHO));
    expect(withScope.ok && withScope.value.specification.routes![0]!.requestPolicies!.authorization).toEqual({ type: 'ANY_OF', allowedScope: ['AnwendungReadA'] });
    const audiences = identityDomainAudiences('idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9', 'eu-frankfurt-1');
    const withClaim = validateDeployment(blogUseCase2WithClaim(JWKS, ECHO, audiences));
    expect(withClaim.ok && withClaim.value.pathPrefix).toBe('/test2');
    expect(withClaim.ok && (withClaim.value.specification.requestPolicies!.authentication as any).verifyClaims).toEqual([
      { key: 'APIGWMichael4', values: ['Api1Access'], isRequired: true },
    ]);
    expect(validateDeployment(blogUseCase2Deployment(JWKS, ECHO, audiences)).ok).toBe(true);
  });

  describe('the blog deployments fit the tokens the mock IAM issues', () => {
    let iam: TestIam;
    beforeAll(async () => {
      iam = await startTestIam();
    });
    afterAll(() => iam.stop());

    it('use case 1: iss and aud of a client-credentials token are the /test issuer and audience', async () => {
      const res = await tokenRequest(iam, { grant_type: 'client_credentials', scope: SEEDED.useCase1.scope }, { authorization: basic(SEEDED.useCase1.id, SEEDED.useCase1.secret) });
      const { claims } = decodeJwtParts(res.body.access_token);
      const auth = blogUseCase1Deployment(`${iam.url}/admin/v1/SigningCert/jwk`, ECHO).specification.requestPolicies!.authentication as any;
      expect([claims.iss, claims.aud]).toEqual([BLOG_ISSUER, 'anwendung1']);
      expect([auth.issuers, auth.audiences]).toEqual([[claims.iss], [claims.aud]]);
    });

    it('use case 2: identityDomainAudiences gives the aud array of the user\'s __myscopes__ token', async () => {
      const res = await tokenRequest(
        iam,
        { grant_type: 'password', username: SEEDED.user.userName, password: SEEDED.user.password, scope: 'urn:opc:idm:__myscopes__' },
        { authorization: basic(SEEDED.useCase2.id, SEEDED.useCase2.secret) },
      );
      const { claims } = decodeJwtParts(res.body.access_token);
      const { tenant, region } = testConfig().iam;
      expect(identityDomainAudiences(tenant, region)).toEqual(claims.aud);
      const id = tenantIdentity({ tenant, region });
      expect(identityDomainAudiences(tenant, region).slice(0, 2)).toEqual([id.secureDomainUrl, id.domainUrl]);
    });
  });
});

describe('routes', () => {
  it('at most 50 routes', () => {
    const spec = minimal();
    spec.routes = Array.from({ length: 51 }, (_, i) => ({ path: `/r${i}`, backend: { type: 'HTTP_BACKEND', url: ECHO } }));
    expect(problems(spec)).toEqual(['specification.routes: at most 50 entries; got 51']);
    spec.routes.pop();
    expect(problems(spec)).toEqual([]);
  });

  it('routes are required, at least one', () => {
    expect(problems({})).toEqual(['specification.routes: required']);
    expect(problems({ routes: [] })).toEqual(['specification.routes: at least 1 entry; got 0']);
  });

  it.each([
    ['1', ['must start with "/"']],
    ['/a//b', ['must not contain "//" (adjacent slashes)']],
    ['/a b', [`" " is not an allowed character (allowed: A-Z a-z 0-9 $ - _ . + ! * ' ( ) , % ; : @ & =)`]],
    ['/a?b#c', [`"?", "#" are not allowed characters (allowed: A-Z a-z 0-9 $ - _ . + ! * ' ( ) , % ; : @ & =)`]],
    ['/users/{user id}', ['"{user id}" is not a valid parameter (write {name} or {name*}; a name has only A-Z a-z 0-9 _)']],
    ['/users/{user-id}', ['"{user-id}" is not a valid parameter (write {name} or {name*}; a name has only A-Z a-z 0-9 _)']],
    ['/files/{name}.json', ['a parameter must be a whole segment; got "{name}.json"']],
    ['/a/{rest*}/b', ['the wildcard parameter "{rest*}" must be the last segment']],
    ['/a/{id}/b/{id}', ['parameter name "id" is used twice']],
  ])('route path %s', (path, reasons) => {
    expect(problemsAfter(minimal, (s) => (s.routes[0].path = path))).toEqual(reasons.map((r) => `${R0}.path: ${r}`));
  });

  it.each(['/', '/a/', "/$-_.+!*'(),%3B;:@&=", '/hello/{generic_welcome*}', '/users/{userId}/orders/{order_no}', '/a/{p*}'])('route path %s is valid', (path) => {
    expect(problemsAfter(minimal, (s) => (s.routes[0].path = path))).toEqual([]);
  });

  it('a route path is at most 2000 characters', () => {
    expect(problemsAfter(minimal, (s) => (s.routes[0].path = `/${'a'.repeat(1999)}`))).toEqual([]);
    expect(problemsAfter(minimal, (s) => (s.routes[0].path = `/${'a'.repeat(2000)}`))).toEqual([`${R0}.path: at most 2000 characters; got 2001`]);
  });

  it('parseRoutePath gives the segments route matching uses', () => {
    expect(parseRoutePath('/hello/{id}/x/{rest*}')).toEqual([
      { kind: 'literal', value: 'hello' },
      { kind: 'parameter', name: 'id' },
      { kind: 'literal', value: 'x' },
      { kind: 'wildcard', name: 'rest' },
    ]);
    expect(parseRoutePath('/')).toEqual([{ kind: 'literal', value: '' }]);
  });

  it('methods: absent means ANY; OCI\'s enum only; not empty', () => {
    expect(valid(minimal()).routes[0].methods).toEqual(['ANY']);
    expect(problemsAfter(minimal, (s) => (s.routes[0].methods = ['GET', 'FETCH']))).toEqual([
      `${R0}.methods[1]: must be one of ANY, HEAD, GET, POST, PUT, PATCH, DELETE, OPTIONS; got "FETCH"`,
    ]);
    expect(problemsAfter(minimal, (s) => (s.routes[0].methods = ['get']))).toEqual([
      `${R0}.methods[0]: must be one of ANY, HEAD, GET, POST, PUT, PATCH, DELETE, OPTIONS; got "get"`,
    ]);
    expect(problemsAfter(minimal, (s) => (s.routes[0].methods = []))).toEqual([`${R0}.methods: at least 1 entry; got 0`]);
  });

  it('two routes may not claim the same path and method (parameter names aside)', () => {
    const spec = minimal();
    spec.routes.push({ path: '/1', methods: ['POST'], backend: { type: 'HTTP_BACKEND', url: ECHO } });
    expect(problems(spec)).toEqual(['specification.routes[1]: path "/1" with method POST is already routes[0]']);
    spec.routes[0].methods = ['GET'];
    expect(problems(spec)).toEqual([]);
    spec.routes.push({ path: '/u/{a}', methods: ['GET'], backend: { type: 'HTTP_BACKEND', url: ECHO } }, { path: '/u/{b}', methods: ['GET', 'PUT'], backend: { type: 'HTTP_BACKEND', url: ECHO } });
    expect(problems(spec)).toEqual(['specification.routes[3]: path "/u/{b}" with method GET is already routes[2]']);
  });

  it('rate limiting is deployment-wide only: a route\'s rateLimiting is an unknown field', () => {
    expect(problemsAfter(minimal, (s) => (s.routes[0].requestPolicies = { rateLimiting: { rateInRequestsPerSecond: 1, rateKey: 'TOTAL' } }))).toEqual([
      `${R0}.requestPolicies.rateLimiting: unknown field`,
    ]);
  });

  it('logging policies are accepted and checked', () => {
    expect(problemsAfter(minimal, (s) => (s.loggingPolicies = { accessLog: { isEnabled: true }, executionLog: { isEnabled: true, logLevel: 'DEBUG' } }))).toEqual([
      'specification.loggingPolicies.executionLog.logLevel: must be one of INFO, WARN, ERROR; got "DEBUG"',
    ]);
  });
});

describe('JWT_AUTHENTICATION', () => {
  it('issuers and audiences: required, 1 to 5', () => {
    expect(problemsAfter(jwt, (s) => delete s.requestPolicies.authentication.issuers)).toEqual([`${A}.issuers: required for type JWT_AUTHENTICATION`]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.audiences = []))).toEqual([`${A}.audiences: at least 1 entry; got 0`]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.issuers = ['1', '2', '3', '4', '5', '6']))).toEqual([`${A}.issuers: at most 5 entries; got 6`]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.audiences = ['1', '2', '3', '4', '5', '6']))).toEqual([`${A}.audiences: at most 5 entries; got 6`]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.audiences = ['1', '2', '3', '4', '5']))).toEqual([]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.audience = 'anwendung1'))).toEqual([`${A}.audience: unknown field (the API's name is "audiences")`]);
  });

  it('verifyClaims: at most 10, each with a key; isRequired defaults to false', () => {
    const claims = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `c${i}`, values: ['v'] }));
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.verifyClaims = claims(11)))).toEqual([`${A}.verifyClaims: at most 10 entries; got 11`]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.verifyClaims = [{ values: ['x'], isRequired: true }]))).toEqual([`${A}.verifyClaims[0].key: required`]);
    const spec = jwt();
    spec.requestPolicies.authentication.verifyClaims = claims(10);
    expect(valid(spec).requestPolicies.authentication.verifyClaims[9]).toEqual({ key: 'c9', values: ['v'], isRequired: false });
  });

  it('token location: tokenHeader or tokenQueryParam, not both, not neither; tokenAuthScheme with tokenHeader', () => {
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.tokenQueryParam = 'token'))).toEqual([
      `${A}.tokenQueryParam: set either tokenHeader or tokenQueryParam, not both`,
    ]);
    expect(problemsAfter(jwt, (s) => delete s.requestPolicies.authentication.tokenHeader)).toEqual([`${A}: tokenHeader or tokenQueryParam is required`]);
    expect(problemsAfter(jwt, (s) => delete s.requestPolicies.authentication.tokenAuthScheme)).toEqual([`${A}.tokenAuthScheme: required with tokenHeader`]);
    expect(
      problemsAfter(jwt, (s) => {
        delete s.requestPolicies.authentication.tokenHeader;
        delete s.requestPolicies.authentication.tokenAuthScheme;
        s.requestPolicies.authentication.tokenQueryParam = 'access_token';
      }),
    ).toEqual([]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.tokenHeader = 'Bad Header'))).toEqual([`${A}.tokenHeader: "Bad Header" is not a valid header name`]);
  });

  it('maxClockSkewInSeconds 0 to 120, default 0', () => {
    expect(valid(jwt()).requestPolicies.authentication.maxClockSkewInSeconds).toBe(0);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.maxClockSkewInSeconds = 121))).toEqual([`${A}.maxClockSkewInSeconds: at most 120; got 121`]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.maxClockSkewInSeconds = -1))).toEqual([`${A}.maxClockSkewInSeconds: at least 0; got -1`]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.maxClockSkewInSeconds = 120))).toEqual([]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.maxClockSkewInSeconds = 2.5))).toEqual([]);
  });

  it('REMOTE_JWKS: uri required and an http(s) URL; maxCacheDurationInHours a whole 1 to 24, default 1', () => {
    expect(problemsAfter(jwt, (s) => delete s.requestPolicies.authentication.publicKeys.uri)).toEqual([`${A}.publicKeys.uri: required for type REMOTE_JWKS`]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.publicKeys.uri = 'idcs.example.com/jwk'))).toEqual([
      `${A}.publicKeys.uri: must be an absolute http(s) URL; got "idcs.example.com/jwk"`,
    ]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.publicKeys.maxCacheDurationInHours = 0))).toEqual([`${A}.publicKeys.maxCacheDurationInHours: at least 1; got 0`]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.publicKeys.maxCacheDurationInHours = 25))).toEqual([`${A}.publicKeys.maxCacheDurationInHours: at most 24; got 25`]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.publicKeys.maxCacheDurationInHours = 1.5))).toEqual([
      `${A}.publicKeys.maxCacheDurationInHours: expected an integer; got 1.5`,
    ]);
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.publicKeys.isSSLVerifyDisabled = true))).toEqual([
      `${A}.publicKeys.isSSLVerifyDisabled: unknown field (the API's name is "isSslVerifyDisabled")`,
    ]);
  });

  it('publicKeys type must be REMOTE_JWKS or STATIC_KEYS', () => {
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.authentication.publicKeys.type = 'REMOTE_DISCOVERY'))).toEqual([
      `${A}.publicKeys.type: must be one of REMOTE_JWKS, STATIC_KEYS; got "REMOTE_DISCOVERY"`,
    ]);
  });

  describe('STATIC_KEYS', () => {
    const withKeys = (keys: unknown[]) => () => {
      const spec = jwt();
      spec.requestPolicies.authentication.publicKeys = { type: 'STATIC_KEYS', keys };
      return spec;
    };
    const jwk = () => ({ format: 'JSON_WEB_KEY', kid: 'k', kty: 'RSA', n: rsa2048.n, e: rsa2048.e });
    const K = `${A}.publicKeys.keys`;

    it('at most 10 keys, at least one, each with a kid, kids unique', () => {
      const keys = Array.from({ length: 11 }, (_, i) => ({ ...jwk(), kid: `k${i}` }));
      expect(problems(withKeys(keys)())).toEqual([`${K}: at most 10 entries; got 11`]);
      expect(problems(withKeys(keys.slice(0, 10))())).toEqual([]);
      expect(problems(withKeys([])())).toEqual([`${K}: at least 1 entry; got 0`]);
      const { kid: _kid, ...noKid } = jwk();
      expect(problems(withKeys([noKid])())).toEqual([`${K}[0].kid: required for format JSON_WEB_KEY`]);
      expect(problems(withKeys([jwk(), jwk()])())).toEqual([`${K}[1].kid: "k" is also the kid of keys[0]`]);
    });

    it('a JSON web key is RSA with n and e, of 2048 to 4096 bits; key_ops verify, use sig, alg RS256/384/512', () => {
      expect(problems(withKeys([{ ...jwk(), kty: 'EC' }])())).toEqual([`${K}[0].kty: must be RSA; got "EC"`]);
      const { n: _n, ...noN } = jwk();
      expect(problems(withKeys([noN])())).toEqual([`${K}[0].n: required for format JSON_WEB_KEY`]);
      expect(problems(withKeys([{ ...jwk(), n: rsa1024.n, e: rsa1024.e }])())).toEqual([`${K}[0].n: the RSA key has 1024 bits; OCI accepts 2048 to 4096`]);
      expect(problems(withKeys([{ ...jwk(), n: 'not+base64url' }])())).toEqual([`${K}[0].n: n must be base64url (A-Z a-z 0-9 - _, no padding)`]);
      expect(problems(withKeys([{ ...jwk(), use: 'enc', key_ops: ['sign'], alg: 'HS256' }])())).toEqual([
        `${K}[0].use: must be sig; got "enc"`,
        `${K}[0].key_ops[0]: must be verify; got "sign"`,
        `${K}[0].alg: must be one of RS256, RS384, RS512; got "HS256"`,
      ]);
      expect(problems(withKeys([{ ...jwk(), keyOps: ['verify'] }])())).toEqual([`${K}[0].keyOps: unknown field (the API's name is "key_ops")`]);
    });

    it('a PEM key needs the BEGIN/END PUBLIC KEY lines and an RSA key of 2048 to 4096 bits', () => {
      const pem = (key: string) => [{ format: 'PEM', kid: 'k', key }];
      expect(problems(withKeys(pem(rsa2048.pem))())).toEqual([]);
      const body = rsa2048.pem.replace('-----BEGIN PUBLIC KEY-----', '').replace('-----END PUBLIC KEY-----', '');
      expect(problems(withKeys(pem(body))())).toEqual([`${K}[0].key: must be PEM text between the lines "-----BEGIN PUBLIC KEY-----" and "-----END PUBLIC KEY-----"`]);
      const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
      expect(problems(withKeys(pem(pkcs1))())).toEqual([`${K}[0].key: must be PEM text between the lines "-----BEGIN PUBLIC KEY-----" and "-----END PUBLIC KEY-----"`]);
      expect(problems(withKeys(pem('-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----'))())).toEqual([`${K}[0].key: is not a readable PEM public key`]);
      expect(problems(withKeys(pem(rsa1024.pem))())).toEqual([`${K}[0].key: the RSA key has 1024 bits; OCI accepts 2048 to 4096`]);
      expect(problems(withKeys(pem(ecPem))())).toEqual([`${K}[0].key: must be an RSA public key; got ec`]);
      expect(problems(withKeys([{ format: 'PEM', kid: 'k' }])())).toEqual([`${K}[0].key: required for format PEM`]);
      expect(problems(withKeys([{ format: 'X509', kid: 'k' }])())).toEqual([`${K}[0].format: must be one of JSON_WEB_KEY, PEM; got "X509"`]);
    });
  });
});

describe('TOKEN_AUTHENTICATION', () => {
  const V = `${A}.validationPolicy`;

  it('the same token-location rules as JWT (the SDK asks tokenAuthScheme with tokenHeader for both)', () => {
    expect(problemsAfter(tokenAuth, (s) => delete s.requestPolicies.authentication.tokenAuthScheme)).toEqual([`${A}.tokenAuthScheme: required with tokenHeader`]);
    expect(problemsAfter(tokenAuth, (s) => (s.requestPolicies.authentication.tokenQueryParam = 't'))).toEqual([`${A}.tokenQueryParam: set either tokenHeader or tokenQueryParam, not both`]);
    expect(problemsAfter(tokenAuth, (s) => delete s.requestPolicies.authentication.validationPolicy)).toEqual([
      `${V}: required for type TOKEN_AUTHENTICATION`,
    ]);
  });

  it('additionalValidationPolicy: all optional, at most 5 issuers, 5 audiences, 10 claims', () => {
    expect(
      problemsAfter(tokenAuth, (s) => (s.requestPolicies.authentication.validationPolicy.additionalValidationPolicy = { issuers: ['1', '2', '3', '4', '5', '6'], audiences: ['1', '2', '3', '4', '5', '6'] })),
    ).toEqual([`${V}.additionalValidationPolicy.issuers: at most 5 entries; got 6`, `${V}.additionalValidationPolicy.audiences: at most 5 entries; got 6`]);
    expect(problemsAfter(tokenAuth, (s) => (s.requestPolicies.authentication.validationPolicy.additionalValidationPolicy = {}))).toEqual([]);
  });

  it('REMOTE_DISCOVERY: accepted for its shape (not emulated yet); CUSTOM client and DISCOVERY_URI source', () => {
    const discovery = () => {
      const spec = tokenAuth();
      spec.requestPolicies.authentication.validationPolicy = {
        type: 'REMOTE_DISCOVERY',
        clientDetails: { type: 'CUSTOM', clientId: 'gw-client', clientSecretId: 'ocid1.vaultsecret.oc1.eu-frankfurt-1.amaaaaaa', clientSecretVersionNumber: 1 },
        sourceUriDetails: { type: 'DISCOVERY_URI', uri: 'https://idcs-x.identity.oraclecloud.com/.well-known/openid-configuration' },
      };
      return spec;
    };
    const value = valid(discovery());
    expect(value.requestPolicies.authentication.validationPolicy).toMatchObject({ isSslVerifyDisabled: false, maxCacheDurationInHours: 1 });
    expect(emulationNotes(value)).toEqual([`${V}: REMOTE_DISCOVERY (OAuth 2.0 introspection) is accepted but not emulated yet`]);
    expect(emulationNotes(valid(tokenAuth()))).toEqual([]);
    expect(problemsAfter(discovery, (s) => (s.requestPolicies.authentication.validationPolicy.clientDetails = { type: 'VALIDATION_BLOCK' }))).toEqual([
      `${V}.clientDetails.type: must be one of CUSTOM; got "VALIDATION_BLOCK"`,
    ]);
    expect(problemsAfter(discovery, (s) => (s.requestPolicies.authentication.validationPolicy.clientDetails.clientSecretId = 'secret'))).toEqual([
      `${V}.clientDetails.clientSecretId: must be an OCID (ocid1.vaultsecret.<realm>.<region>.<id>); got "secret"`,
    ]);
    expect(problemsAfter(discovery, (s) => delete s.requestPolicies.authentication.validationPolicy.sourceUriDetails.uri)).toEqual([
      `${V}.sourceUriDetails.uri: required for type DISCOVERY_URI`,
    ]);
  });

  describe('validationFailurePolicy', () => {
    const F = `${A}.validationFailurePolicy`;
    const block = { filterHeaders: { type: 'BLOCK', items: [{ name: 'X-Debug' }] } };
    const withFailure = (failure: unknown) => () => {
      const spec = tokenAuth();
      spec.requestPolicies.authentication.validationFailurePolicy = failure;
      return spec;
    };

    it('MODIFY_RESPONSE takes responseHeaderTransformations and the docs\' spellings responseTransformations and headerTransformations', () => {
      for (const field of ['responseHeaderTransformations', 'responseTransformations', 'headerTransformations']) {
        const value = valid(withFailure({ type: 'MODIFY_RESPONSE', responseCode: '401', responseMessage: 'Unauthorized: ${request.auth[sub]}', [field]: block })());
        expect(value.requestPolicies.authentication.validationFailurePolicy).toEqual({
          type: 'MODIFY_RESPONSE', responseCode: '401', responseMessage: 'Unauthorized: ${request.auth[sub]}', responseHeaderTransformations: block,
        });
      }
      expect(problems(withFailure({ type: 'MODIFY_RESPONSE', responseTransformations: block, headerTransformations: block })())).toEqual([
        `${F}: responseTransformations and headerTransformations name the same field (responseHeaderTransformations); give it once`,
      ]);
    });

    it('MODIFY_RESPONSE: a status or a context variable as responseCode; no request.body in the message', () => {
      expect(problems(withFailure({ type: 'MODIFY_RESPONSE', responseCode: 'request.auth[responseCode]' })())).toEqual([]);
      expect(problems(withFailure({ type: 'MODIFY_RESPONSE', responseCode: '700' })())).toEqual([`${F}.responseCode: must be an HTTP status from 100 to 599; got "700"`]);
      expect(problems(withFailure({ type: 'MODIFY_RESPONSE', responseMessage: 'was ${request.body}' })())).toEqual([
        `${F}.responseMessage: request.body cannot be used here; got "\${request.body}"`,
      ]);
    });

    it('OAUTH2 only with REMOTE_DISCOVERY; scopes must include openid', () => {
      const oauth2 = { type: 'OAUTH2', scopes: ['openid'], clientDetails: { type: 'VALIDATION_BLOCK' }, sourceUriDetails: { type: 'VALIDATION_BLOCK' }, responseType: 'CODE' };
      expect(problems(withFailure(oauth2)())).toEqual([`${F}.type: OAUTH2 needs validationPolicy type REMOTE_DISCOVERY; got REMOTE_JWKS`]);
      expect(problems(withFailure({ ...oauth2, scopes: ['profile'] })())).toEqual([
        `${F}.scopes: must include "openid"`,
        `${F}.type: OAUTH2 needs validationPolicy type REMOTE_DISCOVERY; got REMOTE_JWKS`,
      ]);
      const { responseType: _r, ...noResponseType } = oauth2;
      expect(problems(withFailure(noResponseType)())).toEqual([
        `${F}.responseType: required for type OAUTH2`,
        `${F}.type: OAUTH2 needs validationPolicy type REMOTE_DISCOVERY; got REMOTE_JWKS`,
      ]);
    });
  });
});

describe('CUSTOM_AUTHENTICATION', () => {
  const params = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`p${i}`, `request.headers[h${i}]`]));
  const multi = (parameters: Record<string, string>, cacheKey?: string[]) => () => {
    const spec = customAuth();
    delete spec.requestPolicies.authentication.tokenHeader;
    spec.requestPolicies.authentication.parameters = parameters;
    if (cacheKey) spec.requestPolicies.authentication.cacheKey = cacheKey;
    return spec;
  };

  it('functionId is the OCID of a function', () => {
    expect(problemsAfter(customAuth, (s) => (s.requestPolicies.authentication.functionId = 'ocid1.compartment.oc1..aaaaaaaa'))).toEqual([
      `${A}.functionId: must be the OCID of a fnfunc; got one of a compartment`,
    ]);
    expect(problemsAfter(customAuth, (s) => delete s.requestPolicies.authentication.functionId)).toEqual([`${A}.functionId: required for type CUSTOM_AUTHENTICATION`]);
  });

  it('single-argument (tokenHeader or tokenQueryParam) or multi-argument (parameters), one of them', () => {
    expect(problems(customAuth())).toEqual([]);
    expect(problemsAfter(customAuth, (s) => delete s.requestPolicies.authentication.tokenHeader)).toEqual([`${A}: tokenHeader, tokenQueryParam or parameters is required`]);
    expect(problemsAfter(customAuth, (s) => (s.requestPolicies.authentication.parameters = { xapikey: 'request.headers[X-Api-Key]' }))).toEqual([
      `${A}.parameters: cannot be combined with tokenHeader or tokenQueryParam`,
    ]);
    expect(problemsAfter(customAuth, (s) => (s.requestPolicies.authentication.tokenAuthScheme = 'Bearer'))).toEqual([`${A}.tokenAuthScheme: unknown field`]);
  });

  it('at most 10 parameters, each a bare context variable of the query, headers, cert, host or body', () => {
    expect(problems(multi({ xapikey: 'request.headers[X-Api-Key]', q: 'request.query[state]', c: 'request.cert', h: 'request.host', b: 'request.body' })())).toEqual([]);
    expect(problems(multi(params(11))())).toEqual([`${A}.parameters: at most 10 entries; got 11`]);
    expect(problems(multi(params(10))())).toEqual([]);
    expect(problems(multi({ p: 'request.path[id]' })())).toEqual([
      `${A}.parameters.p: must be a context variable of request.query[..], request.headers[..], request.cert, request.host or request.body; got "request.path[id]"`,
    ]);
    expect(problems(multi({ p: '${request.headers[x]}' })())).toEqual([`${A}.parameters.p: write the context variable bare, without \${...}: "request.headers[x]"`]);
  });

  it('cacheKey: names from parameters, at most 10', () => {
    expect(problems(multi(params(3), ['p0', 'p2'])())).toEqual([]);
    expect(problems(multi(params(3), ['p0', 'nope'])())).toEqual([`${A}.cacheKey[1]: "nope" is not a name in parameters`]);
    expect(problems(multi(params(10), Array.from({ length: 11 }, (_, i) => `p${i % 10}`))())).toEqual([`${A}.cacheKey: at most 10 entries; got 11`]);
  });

  it('validationFailurePolicy: MODIFY_RESPONSE only', () => {
    expect(problemsAfter(customAuth, (s) => (s.requestPolicies.authentication.validationFailurePolicy = { type: 'OAUTH2' }))).toEqual([
      `${A}.validationFailurePolicy.type: must be one of MODIFY_RESPONSE; got "OAUTH2"`,
    ]);
  });
});

describe('route authorization', () => {
  const withAuthorization = (authorization: unknown, base = jwt) => () => {
    const spec = base();
    spec.routes[0].requestPolicies = { authorization };
    return spec;
  };
  const Z = `${R0}.requestPolicies.authorization`;

  it('ANY_OF needs allowedScope, at least one', () => {
    expect(problems(withAuthorization({ type: 'ANY_OF' })())).toEqual([`${Z}.allowedScope: required for type ANY_OF`]);
    expect(problems(withAuthorization({ type: 'ANY_OF', allowedScope: [] })())).toEqual([`${Z}.allowedScope: at least 1 entry; got 0`]);
    expect(problems(withAuthorization({ type: 'ANY_OF', allowedScopes: ['x'] })())).toEqual([
      `${Z}.allowedScope: required for type ANY_OF`,
      `${Z}.allowedScopes: unknown field (the API's name is "allowedScope")`,
    ]);
  });

  it('ANONYMOUS needs isAnonymousAccessAllowed: true on the authentication policy', () => {
    expect(problems(withAuthorization({ type: 'ANONYMOUS' })())).toEqual([
      `${Z}.type: ANONYMOUS needs isAnonymousAccessAllowed: true in specification.requestPolicies.authentication`,
    ]);
    const spec = withAuthorization({ type: 'ANONYMOUS' })();
    spec.requestPolicies.authentication.isAnonymousAccessAllowed = true;
    expect(problems(spec)).toEqual([]);
  });

  it('an authorization policy without an authentication policy is refused', () => {
    expect(problems(withAuthorization({ type: 'AUTHENTICATION_ONLY' }, minimal)())).toEqual([
      `${Z}: type AUTHENTICATION_ONLY needs an authentication policy in specification.requestPolicies`,
    ]);
    expect(problems(withAuthorization({ type: 'ANY_OF', allowedScope: ['a'] }, minimal)())).toEqual([
      `${Z}: type ANY_OF needs an authentication policy in specification.requestPolicies`,
    ]);
  });

  it('type must be one of the three', () => {
    expect(problems(withAuthorization({ type: 'ALL_OF' })())).toEqual([`${Z}.type: must be one of AUTHENTICATION_ONLY, ANY_OF, ANONYMOUS; got "ALL_OF"`]);
  });
});

describe('deployment-wide policies', () => {
  it('rateLimiting: rateInRequestsPerSecond a whole number ≥ 1, rateKey CLIENT_IP or TOTAL', () => {
    const P = 'specification.requestPolicies.rateLimiting';
    expect(problemsAfter(minimal, (s) => (s.requestPolicies = { rateLimiting: { rateInRequestsPerSecond: 0, rateKey: 'IP' } }))).toEqual([
      `${P}.rateInRequestsPerSecond: at least 1; got 0`,
      `${P}.rateKey: must be one of CLIENT_IP, TOTAL; got "IP"`,
    ]);
    expect(problemsAfter(minimal, (s) => (s.requestPolicies = { rateLimiting: { rateInRequestsPerSecond: 2.5, rateKey: 'TOTAL' } }))).toEqual([
      `${P}.rateInRequestsPerSecond: expected an integer; got 2.5`,
    ]);
    expect(problemsAfter(minimal, (s) => (s.requestPolicies = { rateLimiting: { rateKey: 'TOTAL' } }))).toEqual([`${P}.rateInRequestsPerSecond: required`]);
  });

  it('CORS: allowedOrigins required; at most 50 methods and headers; maxAgeInSeconds ≥ 0; defaults filled in', () => {
    const C = 'specification.requestPolicies.cors';
    const fifty1 = Array.from({ length: 51 }, (_, i) => `X-H${i}`);
    expect(problemsAfter(minimal, (s) => (s.requestPolicies = { cors: { allowedMethods: ['GET'] } }))).toEqual([`${C}.allowedOrigins: required`]);
    expect(
      problemsAfter(minimal, (s) => (s.requestPolicies = { cors: { allowedOrigins: ['*'], allowedMethods: fifty1, allowedHeaders: fifty1, exposedHeaders: fifty1, maxAgeInSeconds: -1 } })),
    ).toEqual([
      `${C}.allowedMethods: at most 50 entries; got 51`,
      `${C}.allowedHeaders: at most 50 entries; got 51`,
      `${C}.exposedHeaders: at most 50 entries; got 51`,
      `${C}.maxAgeInSeconds: at least 0; got -1`,
    ]);
    const spec = minimal();
    spec.routes[0].requestPolicies = { cors: { allowedOrigins: ['https://a.example'] } };
    expect(valid(spec).routes[0].requestPolicies.cors).toEqual({
      allowedOrigins: ['https://a.example'], allowedMethods: [], allowedHeaders: [], exposedHeaders: [], isAllowCredentialsEnabled: false, maxAgeInSeconds: 0,
    });
  });

  it('mutualTls: at most 10 SANs; usagePlans: bare context variables', () => {
    expect(
      problemsAfter(minimal, (s) => (s.requestPolicies = { mutualTls: { isVerifiedCertificateRequired: true, allowedSans: Array.from({ length: 11 }, (_, i) => `s${i}`) } })),
    ).toEqual(['specification.requestPolicies.mutualTls.allowedSans: at most 10 entries; got 11']);
    expect(problemsAfter(minimal, (s) => (s.requestPolicies = { usagePlans: { tokenLocations: ['request.headers[token]', 'token'] } }))).toEqual([
      'specification.requestPolicies.usagePlans.tokenLocations[1]: must be a context variable of request.headers[..], request.query[..], request.auth[..] or request.path[..]; got "token"',
    ]);
  });

  it('authentication and dynamicAuthentication do not mix; multi-auth servers follow the same rules', () => {
    const dyn = (server: any) => ({
      selectionSource: { type: 'SINGLE', selector: 'request.headers[X-Issuer]' },
      authenticationServers: [
        { key: { type: 'ANY_OF', name: 'idcs', values: ['idcs'] }, authenticationServerDetail: server },
        { key: { type: 'WILDCARD', name: 'rest', expression: '*', isDefault: true }, authenticationServerDetail: server },
      ],
    });
    const D = 'specification.requestPolicies.dynamicAuthentication';
    const server = () => jwt().requestPolicies.authentication;
    expect(problemsAfter(jwt, (s) => (s.requestPolicies.dynamicAuthentication = dyn(server())))).toEqual([`${D}: cannot be combined with authentication`]);
    expect(problemsAfter(minimal, (s) => (s.requestPolicies = { dynamicAuthentication: dyn(server()) }))).toEqual([]);
    expect(problemsAfter(minimal, (s) => (s.requestPolicies = { dynamicAuthentication: dyn({ ...server(), tokenAuthScheme: undefined }) }))).toEqual([
      `${D}.authenticationServers[0].authenticationServerDetail.tokenAuthScheme: required with tokenHeader`,
      `${D}.authenticationServers[1].authenticationServerDetail.tokenAuthScheme: required with tokenHeader`,
    ]);
    expect(
      problemsAfter(minimal, (s) => {
        s.requestPolicies = { dynamicAuthentication: dyn(server()) };
        s.requestPolicies.dynamicAuthentication.authenticationServers[0].key.isDefault = true;
        s.routes[0].requestPolicies = { authorization: { type: 'ANONYMOUS' } };
      }),
    ).toEqual([
      `${D}.authenticationServers[1].key.isDefault: only one key can be the default; [0] already is`,
      `${R0}.requestPolicies.authorization.type: ANONYMOUS needs isAnonymousAccessAllowed: true in every server of ${D}`,
    ]);
    expect(problemsAfter(minimal, (s) => (s.requestPolicies = { dynamicAuthentication: { ...dyn(server()), selectionSource: { type: 'SINGLE', selector: '${request.headers[x]}' } } }))).toEqual([
      `${D}.selectionSource.selector: write the context variable bare, without \${...}: "request.headers[x]"`,
    ]);
  });
});

describe('transformations', () => {
  const T = `${R0}.requestPolicies.headerTransformations`;
  const Q = `${R0}.requestPolicies.queryParameterTransformations`;
  const withHeaders = (headerTransformations: unknown) => () => {
    const spec = minimal();
    spec.routes[0].requestPolicies = { headerTransformations };
    return spec;
  };
  const withQuery = (queryParameterTransformations: unknown) => () => {
    const spec = minimal();
    spec.routes[0].requestPolicies = { queryParameterTransformations };
    return spec;
  };
  const items = (n: number, make: (i: number) => unknown) => Array.from({ length: n }, (_, i) => make(i));

  it('at most 20 set items of at most 10 values, 20 renames, 50 filter items; ifExists defaults to OVERWRITE', () => {
    expect(problems(withHeaders({ setHeaders: { items: items(21, (i) => ({ name: `X-${i}`, values: ['v'] })) } })())).toEqual([`${T}.setHeaders.items: at most 20 entries; got 21`]);
    expect(problems(withHeaders({ setHeaders: { items: [{ name: 'X-A', values: items(11, (i) => `v${i}`) }] } })())).toEqual([`${T}.setHeaders.items[0].values: at most 10 entries; got 11`]);
    expect(problems(withHeaders({ renameHeaders: { items: items(21, (i) => ({ from: `X-${i}`, to: `Y-${i}` })) } })())).toEqual([`${T}.renameHeaders.items: at most 20 entries; got 21`]);
    expect(problems(withHeaders({ filterHeaders: { type: 'BLOCK', items: items(51, (i) => ({ name: `X-${i}` })) } })())).toEqual([`${T}.filterHeaders.items: at most 50 entries; got 51`]);
    expect(problems(withQuery({ setQueryParameters: { items: items(21, (i) => ({ name: `q${i}`, values: ['v'] })) } })())).toEqual([`${Q}.setQueryParameters.items: at most 20 entries; got 21`]);
    expect(problems(withQuery({ filterQueryParameters: { type: 'ALLOW', items: items(51, (i) => ({ name: `q${i}` })) } })())).toEqual([`${Q}.filterQueryParameters.items: at most 50 entries; got 51`]);
    expect(problems(withHeaders({ setHeaders: { items: [{ name: 'X-A', values: ['v'], ifExists: 'REPLACE' }] } })())).toEqual([
      `${T}.setHeaders.items[0].ifExists: must be one of OVERWRITE, APPEND, SKIP; got "REPLACE"`,
    ]);
    const value = valid(withHeaders({ setHeaders: { items: items(20, (i) => ({ name: `X-${i}`, values: items(10, (j) => `v${j}`) })) } })());
    expect(value.routes[0].requestPolicies.headerTransformations.setHeaders.items[0].ifExists).toBe('OVERWRITE');
  });

  it('a name appears in only one transformation per route, headers case-insensitively; an ALLOW filter is exempt', () => {
    expect(
      problems(withHeaders({ setHeaders: { items: [{ name: 'X-User', values: ['a'] }] }, renameHeaders: { items: [{ from: 'x-user', to: 'X-Id' }] } })()),
    ).toEqual([`${T}.renameHeaders.items[0].from: "x-user" already appears in setHeaders.items[0].name; a name may appear in only one transformation (an ALLOW filter excepted)`]);
    expect(problems(withHeaders({ setHeaders: { items: [{ name: 'X-User', values: ['a'] }] }, filterHeaders: { type: 'ALLOW', items: [{ name: 'X-User' }] } })())).toEqual([]);
    expect(problems(withHeaders({ setHeaders: { items: [{ name: 'X-User', values: ['a'] }] }, filterHeaders: { type: 'BLOCK', items: [{ name: 'X-USER' }] } })())).toEqual([
      `${T}.filterHeaders.items[0].name: "X-USER" already appears in setHeaders.items[0].name; a name may appear in only one transformation (an ALLOW filter excepted)`,
    ]);
    // Query parameter names are case-sensitive [C D-xf].
    expect(problems(withQuery({ setQueryParameters: { items: [{ name: 'state', values: ['a'] }] }, renameQueryParameters: { items: [{ from: 'State', to: 's' }] } })())).toEqual([]);
    expect(problems(withQuery({ setQueryParameters: { items: [{ name: 'state', values: ['a'] }] }, renameQueryParameters: { items: [{ from: 'state', to: 's' }] } })())).toEqual([
      `${Q}.renameQueryParameters.items[0].from: "state" already appears in setQueryParameters.items[0].name; a name may appear in only one transformation (an ALLOW filter excepted)`,
    ]);
  });

  it('values may hold context variables but not request.body; header names are HTTP tokens', () => {
    expect(problems(withHeaders({ setHeaders: { items: [{ name: 'X-Body', values: ['${request.body}'] }] } })())).toEqual([
      `${T}.setHeaders.items[0].values[0]: request.body cannot be used here; got "\${request.body}"`,
    ]);
    expect(problems(withHeaders({ setHeaders: { items: [{ name: 'X-Who', values: ['${request.user[sub]}'] }] } })())[0]).toMatch(
      /^specification\.routes\[0\]\.requestPolicies\.headerTransformations\.setHeaders\.items\[0\]\.values\[0\]: "\$\{request\.user\[sub\]\}" is not a context variable \(tables: /,
    );
    expect(problems(withHeaders({ setHeaders: { items: [{ name: 'X Who', values: ['a'] }] } })())).toEqual([`${T}.setHeaders.items[0].name: "X Who" is not a valid header name`]);
  });

  it('response header transformations follow the same rules', () => {
    const spec = minimal();
    spec.routes[0].responsePolicies = { headerTransformations: { setHeaders: { items: [{ name: 'X-A', values: ['1'] }, { name: 'x-a', values: ['2'] }] } } };
    expect(problems(spec)).toEqual([
      `${R0}.responsePolicies.headerTransformations.setHeaders.items[1].name: "x-a" already appears in setHeaders.items[0].name; a name may appear in only one transformation (an ALLOW filter excepted)`,
    ]);
  });
});

describe('validations', () => {
  const V = `${R0}.requestPolicies`;
  const withPolicies = (requestPolicies: unknown) => () => {
    const spec = minimal();
    spec.routes[0].requestPolicies = requestPolicies;
    return spec;
  };

  it('validationMode defaults to ENFORCING; ENFORCING, PERMISSIVE or DISABLED', () => {
    const value = valid(withPolicies({ headerValidations: { headers: [{ name: 'X-A' }] }, queryParameterValidations: { parameters: [{ name: 'q', required: true }] } })());
    expect(value.routes[0].requestPolicies.headerValidations).toEqual({ headers: [{ name: 'X-A', required: false }], validationMode: 'ENFORCING' });
    expect(value.routes[0].requestPolicies.queryParameterValidations.validationMode).toBe('ENFORCING');
    expect(problems(withPolicies({ headerValidations: { headers: [], validationMode: 'STRICT' } })())).toEqual([
      `${V}.headerValidations.validationMode: must be one of ENFORCING, PERMISSIVE, DISABLED; got "STRICT"`,
    ]);
  });

  it('headerValidations.headers is an array, not the object of the Oracle Learn sample', () => {
    expect(problems(withPolicies({ headerValidations: { headers: { name: 'X-A', required: true } } })())).toEqual([
      `${V}.headerValidations.headers: expected an array; got an object`,
    ]);
  });

  it('bodyValidation: content keyed by media range, validationType NONE only', () => {
    expect(problems(withPolicies({ bodyValidation: { content: { 'application/json': { validationType: 'JSON_SCHEMA' } } } })())).toEqual([
      `${V}.bodyValidation.content["application/json"].validationType: must be one of NONE; got "JSON_SCHEMA"`,
    ]);
    expect(problems(withPolicies({ bodyValidation: { content: { json: { validationType: 'NONE' } } } })())).toEqual([
      `${V}.bodyValidation.content.json: "json" is not a media range (*/*, type/* or type/subtype)`,
    ]);
    expect(problems(withPolicies({ bodyValidation: { required: true } })())).toEqual([`${V}.bodyValidation.content: required`]);
  });
});

describe('backends', () => {
  const B = `${R0}.backend`;
  const withBackend = (backend: unknown) => () => {
    const spec = minimal();
    spec.routes[0].backend = backend;
    return spec;
  };

  it('HTTP: timeouts above 0, connect ≤ 75, read and send ≤ 300', () => {
    expect(problems(withBackend({ type: 'HTTP_BACKEND', url: ECHO, connectTimeoutInSeconds: 76, readTimeoutInSeconds: 301, sendTimeoutInSeconds: 0 })())).toEqual([
      `${B}.connectTimeoutInSeconds: at most 75; got 76`,
      `${B}.readTimeoutInSeconds: at most 300; got 301`,
      `${B}.sendTimeoutInSeconds: greater than 0; got 0`,
    ]);
    expect(problems(withBackend({ type: 'HTTP_BACKEND', url: ECHO, connectTimeoutInSeconds: 75, readTimeoutInSeconds: 300, sendTimeoutInSeconds: 0.5 })())).toEqual([]);
  });

  it('HTTP: url an http(s) URL, context variables in the path but not in the query', () => {
    expect(problems(withBackend({ type: 'HTTP_BACKEND', url: 'https://api.example.com/${request.path[p]}?x=1' })())).toEqual([]);
    expect(problems(withBackend({ type: 'HTTP_BACKEND', url: 'https://api.example.com/a?user=${request.auth[sub]}' })())).toEqual([
      `${B}.url: context variables are not allowed in the query part of the URL; use queryParameterTransformations`,
    ]);
    expect(problems(withBackend({ type: 'HTTP_BACKEND', url: 'ftp://files.example.com/' })())).toEqual([`${B}.url: must be an http(s) URL; got "ftp://files.example.com/"`]);
    expect(problems(withBackend({ type: 'HTTP_BACKEND', url: '/relative' })())).toEqual([`${B}.url: must be an absolute http(s) URL; got "/relative"`]);
    expect(problems(withBackend({ type: 'HTTP_BACKEND' })())).toEqual([`${B}.url: required for type HTTP_BACKEND`]);
  });

  it('stock: status 200 to 599 (a 1xx is interim), body ≤ 4096 bytes, ≤ 50 headers', () => {
    const stock = (extra: Record<string, unknown>) => withBackend({ type: 'STOCK_RESPONSE_BACKEND', status: 200, ...extra })();
    expect(problems(stock({ status: 99 }))).toEqual([`${B}.status: at least 200; got 99`]);
    expect(problems(stock({ status: 100 }))).toEqual([`${B}.status: at least 200; got 100`]);
    expect(problems(stock({ status: 600 }))).toEqual([`${B}.status: at most 599; got 600`]);
    expect(problems(stock({ status: 200.5 }))).toEqual([`${B}.status: expected an integer; got 200.5`]);
    expect(problems(stock({ body: 'a'.repeat(4096) }))).toEqual([]);
    expect(problems(stock({ body: 'é'.repeat(2049) }))).toEqual([`${B}.body: at most 4096 bytes (UTF-8); got 4098`]);
    expect(problems(stock({ headers: Array.from({ length: 51 }, (_, i) => ({ name: `X-${i}`, value: 'v' })) }))).toEqual([`${B}.headers: at most 50 entries; got 51`]);
    expect(problems(stock({ headers: [{ name: 'X-Long', value: 'v'.repeat(4097) }] }))).toEqual([`${B}.headers[0].value: at most 4096 bytes (UTF-8); got 4097`]);
    expect(problems(stock({ headers: [{ value: 'v' }] }))).toEqual([`${B}.headers[0].name: required`]);
    expect(problems(stock({ status: undefined }))).toEqual([`${B}.status: required for type STOCK_RESPONSE_BACKEND`]);
  });

  it('dynamic routing: children HTTP, functions or stock only; one wildcard at an end; one default', () => {
    const dyn = (routingBackends: unknown[]) =>
      withBackend({ type: 'DYNAMIC_ROUTING_BACKEND', selectionSource: { type: 'SINGLE', selector: 'request.query[version]' }, routingBackends })();
    const http = { type: 'HTTP_BACKEND', url: ECHO };
    expect(problems(dyn([{ key: { type: 'ANY_OF', name: 'v1', values: ['v1'] }, backend: http }, { key: { type: 'WILDCARD', name: 'rest', expression: 'v*', isDefault: true }, backend: http }]))).toEqual([]);
    expect(problems(dyn([{ key: { type: 'ANY_OF', name: 'v1', values: ['v1'] }, backend: { type: 'DYNAMIC_ROUTING_BACKEND' } }]))).toEqual([
      `${B}.routingBackends[0].backend.type: must be one of HTTP_BACKEND, ORACLE_FUNCTIONS_BACKEND, STOCK_RESPONSE_BACKEND; got "DYNAMIC_ROUTING_BACKEND"`,
    ]);
    expect(problems(dyn([{ key: { type: 'WILDCARD', name: 'w', expression: 'a*b*' }, backend: http }]))).toEqual([
      `${B}.routingBackends[0].key.expression: must contain exactly one wildcard (* or +), at the start or the end; got "a*b*"`,
    ]);
    expect(problems(dyn([{ key: { type: 'WILDCARD', name: 'w', expression: 'a*b' }, backend: http }]))).toEqual([
      `${B}.routingBackends[0].key.expression: must contain exactly one wildcard (* or +), at the start or the end; got "a*b"`,
    ]);
    expect(
      problems(dyn([{ key: { type: 'ANY_OF', name: 'a', isDefault: true }, backend: http }, { key: { type: 'ANY_OF', name: 'b', isDefault: true }, backend: http }])),
    ).toEqual([`${B}.routingBackends[1].key.isDefault: only one key can be the default; [0] already is`]);
  });

  it('functions: functionId an fnfunc OCID; OAUTH2 logout: shape only', () => {
    expect(problems(withBackend({ type: 'ORACLE_FUNCTIONS_BACKEND', functionId: FN })())).toEqual([]);
    expect(problems(withBackend({ type: 'OAUTH2_LOGOUT_BACKEND', allowedPostLogoutUris: ['https://app.example/bye'], postLogoutState: 's' })())).toEqual([]);
    expect(problems(withBackend({ type: 'OAUTH2_LOGOUT_BACKEND', redirect: 'x' })())).toEqual([`${B}.redirect: unknown field`]);
    expect(emulationNotes(valid(withBackend({ type: 'OAUTH2_LOGOUT_BACKEND' })()))).toEqual([`${B}: OAUTH2_LOGOUT_BACKEND is accepted but not emulated yet`]);
  });
});

describe('deployments (control-plane body or deployment file)', () => {
  it('pathPrefix: required, starts with /, ≤ 255 characters, no parameters, allowed characters, no trailing /', () => {
    const deploy = (pathPrefix: unknown) => {
      const r = validateDeployment({ pathPrefix, specification: minimal() });
      return r.ok ? [] : r.problems;
    };
    expect(deploy('/test')).toEqual([]);
    expect(deploy('/')).toEqual([]);
    expect(deploy('test')).toEqual(['pathPrefix: must start with "/"']);
    expect(deploy(`/${'a'.repeat(255)}`)).toEqual(['pathPrefix: at most 255 characters; got 256']);
    expect(deploy(`/${'a'.repeat(254)}`)).toEqual([]);
    expect(deploy('/v1/{tenant}')).toEqual(['pathPrefix: cannot contain parameters or wildcards ("{...}")']);
    expect(deploy('/v 1')).toEqual([`pathPrefix: " " is not an allowed character (allowed: A-Z a-z 0-9 $ - _ . + ! * ' ( ) , % ; : @ & =)`]);
    expect(deploy('/test/')).toEqual(['pathPrefix: must not end with "/"']);
    expect(deploy('/a//b')).toEqual(['pathPrefix: must not contain "//" (adjacent slashes)']);
    expect(deploy(7)).toEqual(['pathPrefix: expected a string; got 7']);
  });

  it('the REST body with gatewayId, compartmentId, displayName and tags; OCIDs checked; tags dropped', () => {
    const body = {
      displayName: 'blog-test',
      gatewayId: 'ocid1.apigateway.oc1.eu-frankfurt-1.amaaaaaa',
      compartmentId: 'ocid1.compartment.oc1..aaaaaaaa',
      pathPrefix: '/test',
      specification: minimal(),
      freeformTags: { Department: 'Finance' },
      definedTags: { Operations: { CostCenter: '42' } },
    };
    const r = validateDeployment(body);
    expect(r.ok && Object.keys(r.value)).toEqual(['pathPrefix', 'specification', 'displayName', 'gatewayId', 'compartmentId']);
    expect(validateDeployment({ ...body, compartmentId: 'ocid1.tenancy.oc1..aaaaaaaa' }).ok).toBe(true);
    expect(validateDeployment({ ...body, gatewayId: 'ocid1.compartment.oc1..aaaaaaaa', compartmentId: 'my-compartment', lifecycleState: 'ACTIVE' })).toEqual({
      ok: false,
      problems: [
        'gatewayId: must be the OCID of a apigateway; got one of a compartment',
        'compartmentId: must be an OCID (ocid1.compartment.<realm>.<region>.<id>); got "my-compartment"',
        'lifecycleState: unknown field',
      ],
    });
  });

  it('reports deployment and specification problems together', () => {
    expect(validateDeployment({ pathPrefix: 'test', specification: { routes: [{ path: '/1' }] } })).toEqual({
      ok: false,
      problems: ['pathPrefix: must start with "/"', 'specification.routes[0].backend: required'],
    });
    expect(validateDeployment({ pathPrefix: '/t' })).toEqual({ ok: false, problems: ['specification: required'] });
    expect(validateDeployment({ pathPrefix: '/t', specification: 'routes' })).toEqual({ ok: false, problems: ['specification: expected an object; got "routes"'] });
  });
});

describe('several problems at once', () => {
  it('a spec with many mistakes lists every one, schema and rules together', () => {
    const spec = jwt();
    spec.requestPolicies.authentication.maxClockSkewInSeconds = 300;
    spec.requestPolicies.authentication.tokenQueryParam = 'token';
    spec.requestPolicies.authentication.publicKeys.maxCacheDurationInHours = 48;
    spec.routes[0].path = '/1/{a b}';
    spec.routes[0].methods = ['GET', 'FETCH'];
    spec.routes[0].backend.readTimeoutInSeconds = 500;
    spec.routes[0].requestPolicies = { authorization: { type: 'ANONYMOUS' } };
    spec.routes.push({ path: '/2', backend: { type: 'STOCK_RESPONSE_BACKEND', status: 700 }, colour: 'blue' });
    expect(problems(spec)).toEqual([
      `${A}.maxClockSkewInSeconds: at most 120; got 300`,
      `${A}.publicKeys.maxCacheDurationInHours: at most 24; got 48`,
      `${R0}.path: "{a b}" is not a valid parameter (write {name} or {name*}; a name has only A-Z a-z 0-9 _)`,
      `${R0}.methods[1]: must be one of ANY, HEAD, GET, POST, PUT, PATCH, DELETE, OPTIONS; got "FETCH"`,
      `${R0}.backend.readTimeoutInSeconds: at most 300; got 500`,
      'specification.routes[1].backend.status: at most 599; got 700',
      'specification.routes[1].colour: unknown field',
      `${A}.tokenQueryParam: set either tokenHeader or tokenQueryParam, not both`,
      `${R0}.requestPolicies.authorization.type: ANONYMOUS needs isAnonymousAccessAllowed: true in specification.requestPolicies.authentication`,
    ]);
  });

  it('the path argument names the specification in problems', () => {
    expect(validateSpecification({ routes: [] }, 'data.specification')).toEqual({ ok: false, problems: ['data.specification.routes: at least 1 entry; got 0'] });
  });
});

describe('the wire form', () => {
  it('toWireSpecification writes key_ops back and leaves the value untouched; it validates again', () => {
    const spec = jwt();
    spec.requestPolicies.authentication.publicKeys = { type: 'STATIC_KEYS', keys: [{ format: 'JSON_WEB_KEY', kid: 'k', kty: 'RSA', n: rsa2048.n, e: rsa2048.e, key_ops: ['verify'] }] };
    const value = valid(spec);
    const wire = toWireSpecification(value) as any;
    expect(wire.requestPolicies.authentication.publicKeys.keys[0].key_ops).toEqual(['verify']);
    expect(wire.requestPolicies.authentication.publicKeys.keys[0]).not.toHaveProperty('keyOps');
    expect(value.requestPolicies.authentication.publicKeys.keys[0].keyOps).toEqual(['verify']);
    expect(validateSpecification(wire)).toEqual({ ok: true, value });
  });
});

describe('hostile input fails fast and never throws', () => {
  const fast = <T>(f: () => T): T => {
    const started = performance.now();
    const result = f();
    expect(performance.now() - started).toBeLessThan(1000);
    return result;
  };

  it.each([
    [null, 'specification: expected an object; got null'],
    [undefined, 'specification: expected an object; got nothing'],
    ['{"routes":[]}', 'specification: expected an object; got "{\\"routes\\":[]}"'],
    [42, 'specification: expected an object; got 42'],
    [[minimal()], 'specification: expected an object; got an array'],
  ])('a non-object specification (%j)', (raw, problem) => {
    expect(validateSpecification(raw)).toEqual({ ok: false, problems: [problem] });
  });

  it('100 000 nested arrays in a field', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(fast(() => validateSpecification({ ...minimal(), extra: deep }))).toEqual({ ok: false, problems: ['specification: nested deeper than 64 levels'] });
  });

  it('a cycle', () => {
    const spec = minimal();
    spec.routes[0].backend.self = spec;
    expect(fast(() => validateSpecification(spec))).toEqual({ ok: false, problems: ['specification: nested deeper than 64 levels'] });
  });

  it('a million routes and a 3 MB string are over the 2 MB limit', () => {
    const huge = { routes: new Array(1_000_000).fill(null) };
    expect(fast(() => validateSpecification(huge))).toEqual({ ok: false, problems: ['specification: larger than the 2 MB (2097152 bytes) of JSON OCI allows'] });
    const long = minimal();
    long.routes[0].backend.url = `http://x/${'a'.repeat(3 * 1024 * 1024)}`;
    expect(fast(() => validateSpecification(long))).toEqual({ ok: false, problems: ['specification: larger than the 2 MB (2097152 bytes) of JSON OCI allows'] });
  });

  it('100 000 small routes are refused by count, without walking them', () => {
    const spec = { routes: Array.from({ length: 100_000 }, () => ({})) };
    expect(fast(() => validateSpecification(spec))).toEqual({ ok: false, problems: ['specification.routes: at most 50 entries; got 100000'] });
  });

  it('thousands of unknown fields are capped at 100 problems', () => {
    const spec = minimal();
    for (let i = 0; i < 5000; i++) spec[`f${i}`] = i;
    const r = fast(() => validateSpecification(spec));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems.length).toBe(101);
    expect(!r.ok && r.problems[0]).toBe('specification.f0: unknown field');
    expect(!r.ok && r.problems[100]).toBe('specification: 4900 more problems not listed');
  });

  it('a getter that throws, a bigint, a huge unknown field name', () => {
    const trap = minimal();
    Object.defineProperty(trap.routes[0], 'path', { enumerable: true, get: () => { throw new Error('boom'); } });
    expect(validateSpecification(trap)).toEqual({ ok: false, problems: ['specification: could not be read as JSON (boom)'] });
    expect(validateSpecification({ ...minimal(), n: 10n })).toEqual({ ok: false, problems: ['specification: is not JSON (found a bigint)'] });
    const named = minimal();
    named['k'.repeat(100_000)] = 1;
    const r = validateSpecification(named);
    expect(!r.ok && r.problems[0]!.length).toBeLessThan(200);
  });

  it('validateDeployment never throws either', () => {
    for (const raw of [null, 1, 'x', [], { pathPrefix: {}, specification: [] }, { pathPrefix: '/a', specification: { routes: { length: 1e9 } } }]) {
      expect(() => validateDeployment(raw)).not.toThrow();
      expect(validateDeployment(raw).ok).toBe(false);
    }
  });
});
