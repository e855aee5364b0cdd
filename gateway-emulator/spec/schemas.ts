/**
 * The shape of an OCI API Gateway deployment specification as zod schemas: the camelCase JSON
 * the REST API (20190501) and `oci api-gateway deployment create --specification file://...`
 * take, field for field as the SDK's models name them [C SDK]. Objects are strict (OCI's API
 * refuses unknown fields), polymorphic parts are discriminated on `type` (`format` for static
 * keys), single-field limits and syntax live here, and absent fields get OCI's defaults
 * (`limits.ts`). Rules that relate several fields live in `rules.ts`, which always runs.
 */
import { z } from 'zod';
import { bareContextVariableProblem, embeddedContextVariableProblem, quote, type ContextTable } from './context-variables.js';
import { jwkRsaProblem, pemPublicKeyProblem } from './keys.js';
import { DEFAULTS, LIMITS } from './limits.js';
import { pathPrefixProblems, routePathProblems } from './paths.js';

// ---------------------------------------------------------------------------------------------
// Building blocks

/** A string checked by a function that returns the reasons it is wrong. */
function checked(reasons: (s: string) => string | string[] | undefined, base: z.ZodString = z.string()) {
  return base.superRefine((s, ctx) => {
    const r = reasons(s);
    for (const message of r === undefined ? [] : Array.isArray(r) ? r : [r]) ctx.addIssue({ code: 'custom', message, input: s });
  });
}

const nonEmpty = z.string().min(1);
const bytes = (s: string) => Buffer.byteLength(s, 'utf8');
const maxBytes = (max: number) => (s: string) => (bytes(s) > max ? `at most ${max} bytes (UTF-8); got ${bytes(s)}` : undefined);

/** An HTTP header name is an RFC 9110 token. */
const HEADER_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const headerName = checked((s) => (HEADER_TOKEN.test(s) ? undefined : `${quote(s)} is not a valid header name`), nonEmpty);

/** An OCID: `ocid1.<resource type>.<realm>.[region][.future].<unique id>`. */
const OCID = /^ocid1\.([a-z0-9]+)\.[a-z0-9-]+\.[a-z0-9-]*(\.[a-z0-9-]+)?\.[A-Za-z0-9_-]+$/;
export function ocidProblem(value: string, types: readonly string[]): string | undefined {
  const m = OCID.exec(value);
  if (!m) return `must be an OCID (ocid1.${types[0]}.<realm>.<region>.<id>); got ${quote(value)}`;
  if (!types.includes(m[1] ?? '')) return `must be the OCID of a ${types.join(' or ')}; got one of a ${m[1]}`;
  return undefined;
}
const ocid = (...types: string[]) => checked((s) => ocidProblem(s, types));

/** A URL the gateway fetches (a JWKS, a discovery document). http is allowed: the emulator runs locally [I]. */
export function httpUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `must be an absolute http(s) URL; got ${quote(value)}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `must be an http(s) URL; got ${quote(url.protocol)}`;
  return undefined;
}
const httpUrl = checked(httpUrlProblem);

/**
 * An HTTP backend URL: context variables may appear in the host and path (`${request.path[p]}`)
 * but not in the query part, which query-parameter transformations are for [C D-ctx].
 */
export function backendUrlProblems(value: string): string[] {
  const problems: string[] = [];
  const queryAt = value.indexOf('?');
  if (queryAt >= 0 && value.slice(queryAt).includes('${')) {
    problems.push('context variables are not allowed in the query part of the URL; use queryParameterTransformations');
  }
  const variables = embeddedContextVariableProblem(value, ['request.body', 'request.cert']);
  if (variables) problems.push(variables);
  // Parse with each ${...} replaced by a harmless word, so `https://${request.host}/x` checks too.
  const plain = httpUrlProblem(value.replace(/\$\{[^{}]*\}/g, 'x'));
  if (plain) problems.push(plain.replace(/; got .*$/, `; got ${quote(value)}`));
  return problems;
}

/** A transformation value or failure message: `${...}` allowed, `request.body` not [C D-xf]. */
const contextText = checked((s) => embeddedContextVariableProblem(s));

/** Bare context variables of these tables (`request.headers[X-Api-Key]`). */
const bareContextVariable = (tables: readonly ContextTable[]) => checked((s) => bareContextVariableProblem(s, tables));

const SELECTOR_TABLES: readonly ContextTable[] = ['request.path', 'request.query', 'request.headers', 'request.auth', 'request.host', 'request.subdomain', 'request.usage_plan'];
/** Authorizer arguments [C D-multi]. */
export const AUTHORIZER_PARAMETER_TABLES: readonly ContextTable[] = ['request.query', 'request.headers', 'request.cert', 'request.host', 'request.body'];
const TOKEN_LOCATION_TABLES: readonly ContextTable[] = ['request.headers', 'request.query', 'request.auth', 'request.path'];

const validationMode = z.enum(['ENFORCING', 'PERMISSIVE', 'DISABLED']).default(DEFAULTS.validationMode);
const cacheDurationInHours = z.number().int().min(LIMITS.minCacheDurationInHours).max(LIMITS.maxCacheDurationInHours).default(DEFAULTS.maxCacheDurationInHours);
const isSslVerifyDisabled = z.boolean().default(DEFAULTS.isSslVerifyDisabled);
const isAnonymousAccessAllowed = z.boolean().default(DEFAULTS.isAnonymousAccessAllowed);
const maxClockSkewInSeconds = z.number().min(0).max(LIMITS.maxClockSkewInSeconds).default(DEFAULTS.maxClockSkewInSeconds);

// ---------------------------------------------------------------------------------------------
// Logging (only the legacy Object Storage archive; accepted and ignored)

const loggingPolicies = z.strictObject({
  accessLog: z.strictObject({ isEnabled: z.boolean().optional() }).optional(),
  executionLog: z.strictObject({ isEnabled: z.boolean().optional(), logLevel: z.enum(['INFO', 'WARN', 'ERROR']).optional() }).optional(),
});

// ---------------------------------------------------------------------------------------------
// Transformations [C D-xf]

const setItem = z.strictObject({
  name: nonEmpty,
  values: z.array(contextText).min(1).max(LIMITS.valuesPerSetItem),
  ifExists: z.enum(['OVERWRITE', 'APPEND', 'SKIP']).default(DEFAULTS.ifExists),
});
const setHeaderItem = setItem.extend({ name: headerName });
const renameItems = <T extends z.ZodType>(name: T) => z.strictObject({ items: z.array(z.strictObject({ from: name, to: name })).min(1).max(LIMITS.renameItems) });
const filterPolicy = <T extends z.ZodType>(name: T) =>
  z.strictObject({ type: z.enum(['BLOCK', 'ALLOW']), items: z.array(z.strictObject({ name })).min(1).max(LIMITS.filterItems) });

export const headerTransformationPolicy = z.strictObject({
  setHeaders: z.strictObject({ items: z.array(setHeaderItem).min(1).max(LIMITS.setItems) }).optional(),
  renameHeaders: renameItems(headerName).optional(),
  filterHeaders: filterPolicy(headerName).optional(),
});

const queryParameterTransformationPolicy = z.strictObject({
  setQueryParameters: z.strictObject({ items: z.array(setItem).min(1).max(LIMITS.setItems) }).optional(),
  renameQueryParameters: renameItems(nonEmpty).optional(),
  filterQueryParameters: filterPolicy(nonEmpty).optional(),
});

// ---------------------------------------------------------------------------------------------
// Keys and token validation [C SDK, D-keys, D-jwtpol, D-tokjson]

const jsonWebKey = z
  .strictObject({
    format: z.literal('JSON_WEB_KEY'),
    kid: nonEmpty,
    kty: z.literal('RSA'),
    use: z.literal('sig').optional(),
    // The JSON name is key_ops; the SDK model calls it keyOps, which is what the output carries.
    key_ops: z.array(z.literal('verify')).optional(),
    alg: z.enum(['RS256', 'RS384', 'RS512']).optional(),
    n: nonEmpty,
    e: nonEmpty,
  })
  .superRefine((k, ctx) => {
    const problem = jwkRsaProblem(k.n, k.e);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['n'], input: k.n });
  })
  .transform(({ key_ops, ...rest }) => ({ ...rest, ...(key_ops ? { keyOps: key_ops } : {}) }));

const pemEncodedPublicKey = z.strictObject({ format: z.literal('PEM'), kid: nonEmpty, key: checked(pemPublicKeyProblem) });

const staticKeys = z.array(z.discriminatedUnion('format', [jsonWebKey, pemEncodedPublicKey])).min(1).max(LIMITS.staticKeys);

const jsonWebTokenClaim = z.strictObject({
  key: nonEmpty,
  values: z.array(z.string()).optional(),
  isRequired: z.boolean().default(DEFAULTS.isRequired),
});
const verifyClaims = z.array(jsonWebTokenClaim).max(LIMITS.verifyClaims);

const remoteJsonWebKeySet = z.strictObject({
  type: z.literal('REMOTE_JWKS'),
  uri: httpUrl,
  isSslVerifyDisabled,
  maxCacheDurationInHours: cacheDurationInHours,
});
const staticPublicKeySet = z.strictObject({ type: z.literal('STATIC_KEYS'), keys: staticKeys });

const additionalValidationPolicy = z.strictObject({
  issuers: z.array(nonEmpty).max(LIMITS.issuers).optional(),
  audiences: z.array(nonEmpty).max(LIMITS.audiences).optional(),
  verifyClaims: verifyClaims.optional(),
});

const customClientAppDetails = z.strictObject({
  type: z.literal('CUSTOM'),
  clientId: nonEmpty,
  clientSecretId: ocid('vaultsecret'),
  clientSecretVersionNumber: z.number().int().min(1),
});
const validationBlockClientAppDetails = z.strictObject({ type: z.literal('VALIDATION_BLOCK') });
const discoveryUriSourceUriDetails = z.strictObject({ type: z.literal('DISCOVERY_URI'), uri: httpUrl });
const validationBlockSourceUriDetails = z.strictObject({ type: z.literal('VALIDATION_BLOCK') });

const tokenValidationPolicy = z.discriminatedUnion('type', [
  remoteJsonWebKeySet.extend({ additionalValidationPolicy: additionalValidationPolicy.optional() }),
  staticPublicKeySet.extend({ additionalValidationPolicy: additionalValidationPolicy.optional() }),
  // OAuth 2.0 introspection: validated for shape; the emulator does not run it yet.
  // VALIDATION_BLOCK means "the validation policy's own details", so it only fits the OAUTH2 policy [I].
  z.strictObject({
    type: z.literal('REMOTE_DISCOVERY'),
    clientDetails: z.discriminatedUnion('type', [customClientAppDetails]),
    sourceUriDetails: z.discriminatedUnion('type', [discoveryUriSourceUriDetails]),
    isSslVerifyDisabled,
    maxCacheDurationInHours: cacheDurationInHours,
    additionalValidationPolicy: additionalValidationPolicy.optional(),
  }),
]);

/** `responseCode` is a status or a context variable that yields one (`request.auth[responseCode]`). */
function responseCodeProblem(code: string): string | undefined {
  if (/^\d+$/.test(code)) return Number(code) >= 100 && Number(code) <= 599 ? undefined : `must be an HTTP status from 100 to 599; got ${quote(code)}`;
  const bare = bareContextVariableProblem(code.replace(/^\$\{(.*)\}$/, '$1'), SELECTOR_TABLES);
  return bare ? `must be an HTTP status or a context variable; got ${quote(code)}` : undefined;
}

/**
 * MODIFY_RESPONSE. The SDK's field is `responseHeaderTransformations`; the docs' prose calls it
 * `responseTransformations` (D-tokjson) and `headerTransformations` (D-multi), so all three are
 * read and the output carries the SDK's name [I]. Giving more than one is a rule problem.
 */
const modifyResponseValidationFailurePolicy = z
  .strictObject({
    type: z.literal('MODIFY_RESPONSE'),
    responseCode: checked(responseCodeProblem).optional(),
    responseMessage: contextText.optional(),
    responseHeaderTransformations: headerTransformationPolicy.optional(),
    responseTransformations: headerTransformationPolicy.optional(),
    headerTransformations: headerTransformationPolicy.optional(),
  })
  .transform(({ responseTransformations, headerTransformations, responseHeaderTransformations, ...rest }) => {
    const transformations = responseHeaderTransformations ?? responseTransformations ?? headerTransformations;
    return { ...rest, ...(transformations ? { responseHeaderTransformations: transformations } : {}) };
  });

/** OAUTH2: a browser OIDC flow, only with REMOTE_DISCOVERY (a rule). Shape only; not emulated. */
const oAuth2ResponseValidationFailurePolicy = z.strictObject({
  type: z.literal('OAUTH2'),
  scopes: z.array(nonEmpty).min(1).superRefine((scopes, ctx) => {
    if (!scopes.includes('openid')) ctx.addIssue({ code: 'custom', message: 'must include "openid"', input: scopes });
  }),
  clientDetails: z.discriminatedUnion('type', [customClientAppDetails, validationBlockClientAppDetails]),
  sourceUriDetails: z.discriminatedUnion('type', [discoveryUriSourceUriDetails, validationBlockSourceUriDetails]),
  maxExpiryDurationInHours: z.number().int().min(1).max(24).default(DEFAULTS.maxExpiryDurationInHours),
  useCookiesForSession: z.boolean().optional(),
  useCookiesForIntermediateSteps: z.boolean().optional(),
  usePkce: z.boolean().optional(),
  responseType: z.literal('CODE'),
  fallbackRedirectPath: nonEmpty.optional(),
  logoutPath: nonEmpty.optional(),
  loginPath: nonEmpty.optional(),
});

// ---------------------------------------------------------------------------------------------
// Authentication policies [C SDK, D-jwtpol, D-tokjson, D-authfn, D-multi]

/** JWT_AUTHENTICATION (legacy, still supported). Token location rules are in rules.ts. */
const jwtAuthenticationPolicy = z.strictObject({
  type: z.literal('JWT_AUTHENTICATION'),
  isAnonymousAccessAllowed,
  tokenHeader: headerName.optional(),
  tokenQueryParam: nonEmpty.optional(),
  tokenAuthScheme: nonEmpty.optional(),
  maxClockSkewInSeconds,
  issuers: z.array(nonEmpty).min(1).max(LIMITS.issuers),
  audiences: z.array(nonEmpty).min(1).max(LIMITS.audiences),
  verifyClaims: verifyClaims.optional(),
  publicKeys: z.discriminatedUnion('type', [remoteJsonWebKeySet, staticPublicKeySet]),
});

const tokenAuthenticationPolicy = z.strictObject({
  type: z.literal('TOKEN_AUTHENTICATION'),
  isAnonymousAccessAllowed,
  tokenHeader: headerName.optional(),
  tokenQueryParam: nonEmpty.optional(),
  tokenAuthScheme: nonEmpty.optional(),
  maxClockSkewInSeconds,
  validationPolicy: tokenValidationPolicy,
  validationFailurePolicy: z.discriminatedUnion('type', [modifyResponseValidationFailurePolicy, oAuth2ResponseValidationFailurePolicy]).optional(),
});

/** An authorizer function. The count of `parameters` and `cacheKey` membership are rules. */
const customAuthenticationPolicy = z.strictObject({
  type: z.literal('CUSTOM_AUTHENTICATION'),
  isAnonymousAccessAllowed,
  functionId: ocid('fnfunc'),
  tokenHeader: headerName.optional(),
  tokenQueryParam: nonEmpty.optional(),
  parameters: z.record(nonEmpty, bareContextVariable(AUTHORIZER_PARAMETER_TABLES)).optional(),
  cacheKey: z.array(nonEmpty).max(LIMITS.authorizerCacheKeys).optional(),
  validationFailurePolicy: z.discriminatedUnion('type', [modifyResponseValidationFailurePolicy]).optional(),
});

export const authenticationPolicy = z.discriminatedUnion('type', [jwtAuthenticationPolicy, tokenAuthenticationPolicy, customAuthenticationPolicy]);

// ---------------------------------------------------------------------------------------------
// Dynamic selection (multi-authentication, dynamic routing) [C D-dyn]

const singleSelectionSource = z.discriminatedUnion('type', [z.strictObject({ type: z.literal('SINGLE'), selector: bareContextVariable(SELECTOR_TABLES) })]);

/** One `*` (0 or more characters) or `+` (1 or more), only at the start or the end [C SDK]. */
export function wildcardExpressionProblem(expression: string): string | undefined {
  const wildcards = [...expression].filter((c) => c === '*' || c === '+').length;
  const placed = /^[*+][^*+]*$|^[^*+]*[*+]$/.test(expression);
  return wildcards === 1 && placed ? undefined : `must contain exactly one wildcard (* or +), at the start or the end; got ${quote(expression)}`;
}

const selectionKey = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ANY_OF'), name: nonEmpty, values: z.array(nonEmpty).max(LIMITS.selectionKeyValues).optional(), isDefault: z.boolean().default(false) }),
  z.strictObject({ type: z.literal('WILDCARD'), name: nonEmpty, expression: checked(wildcardExpressionProblem), isDefault: z.boolean().default(false) }),
]);

const dynamicAuthenticationPolicy = z.strictObject({
  selectionSource: singleSelectionSource,
  authenticationServers: z
    .array(z.strictObject({ key: selectionKey, authenticationServerDetail: authenticationPolicy }))
    .min(1)
    .max(LIMITS.authenticationServers),
});

// ---------------------------------------------------------------------------------------------
// Deployment-wide request policies

export const corsPolicy = z.strictObject({
  allowedOrigins: z.array(nonEmpty).min(1),
  allowedMethods: z.array(nonEmpty).max(LIMITS.corsMethods).default(() => []),
  allowedHeaders: z.array(nonEmpty).max(LIMITS.corsHeaders).default(() => []),
  exposedHeaders: z.array(nonEmpty).max(LIMITS.corsHeaders).default(() => []),
  isAllowCredentialsEnabled: z.boolean().default(DEFAULTS.isAllowCredentialsEnabled),
  maxAgeInSeconds: z.number().int().min(0).default(DEFAULTS.maxAgeInSeconds),
});

const apiSpecificationRequestPolicies = z.strictObject({
  authentication: authenticationPolicy.optional(),
  rateLimiting: z
    .strictObject({ rateInRequestsPerSecond: z.number().int().min(1), rateKey: z.enum(['CLIENT_IP', 'TOTAL']) })
    .optional(),
  cors: corsPolicy.optional(),
  mutualTls: z
    .strictObject({ isVerifiedCertificateRequired: z.boolean().default(false), allowedSans: z.array(nonEmpty).max(LIMITS.mutualTlsSans).default(() => []) })
    .optional(),
  usagePlans: z.strictObject({ tokenLocations: z.array(bareContextVariable(TOKEN_LOCATION_TABLES)).min(1) }).optional(),
  dynamicAuthentication: dynamicAuthenticationPolicy.optional(),
});

// ---------------------------------------------------------------------------------------------
// Routes [C SDK, D-spec]

export const ROUTE_METHODS = ['ANY', 'HEAD', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const routeAuthorizationPolicy = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('AUTHENTICATION_ONLY') }),
  z.strictObject({ type: z.literal('ANY_OF'), allowedScope: z.array(nonEmpty).min(1) }),
  z.strictObject({ type: z.literal('ANONYMOUS') }),
]);

const validationItem = <T extends z.ZodType>(name: T) => z.strictObject({ name, required: z.boolean().default(false) });

/** `*\/*`, `type/*` or `type/subtype` [C SDK BodyValidationRequestPolicy]. */
const MEDIA_RANGE = /^(\*\/\*|[A-Za-z0-9!#$&^_.+-]+\/\*|[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+)$/;
const mediaRange = checked((s) => (MEDIA_RANGE.test(s) ? undefined : `${quote(s)} is not a media range (*/*, type/* or type/subtype)`));

const apiSpecificationRouteRequestPolicies = z.strictObject({
  authorization: routeAuthorizationPolicy.optional(),
  cors: corsPolicy.optional(),
  queryParameterValidations: z.strictObject({ parameters: z.array(validationItem(nonEmpty)).optional(), validationMode }).optional(),
  headerValidations: z.strictObject({ headers: z.array(validationItem(headerName)).optional(), validationMode }).optional(),
  bodyValidation: z
    .strictObject({
      required: z.boolean().default(false),
      content: z.record(mediaRange, z.discriminatedUnion('validationType', [z.strictObject({ validationType: z.literal('NONE') })])),
      validationMode,
    })
    .optional(),
  headerTransformations: headerTransformationPolicy.optional(),
  queryParameterTransformations: queryParameterTransformationPolicy.optional(),
  // Response caching needs an external cache on the gateway; accepted, not emulated.
  responseCacheLookup: z
    .discriminatedUnion('type', [
      z.strictObject({
        type: z.literal('SIMPLE_LOOKUP_POLICY'),
        isEnabled: z.boolean().optional(),
        isPrivateCachingEnabled: z.boolean().optional(),
        cacheKeyAdditions: z.array(contextText).optional(),
      }),
    ])
    .optional(),
});

const apiSpecificationRouteResponsePolicies = z.strictObject({
  headerTransformations: headerTransformationPolicy.optional(),
  responseCacheStore: z
    .discriminatedUnion('type', [z.strictObject({ type: z.literal('FIXED_TTL_STORE_POLICY'), timeToLiveInSeconds: z.number().int().min(1) })])
    .optional(),
});

// Backends [C SDK, D-http, D-stock, D-dyn]

const httpBackend = z.strictObject({
  type: z.literal('HTTP_BACKEND'),
  url: checked(backendUrlProblems),
  connectTimeoutInSeconds: z.number().positive().max(LIMITS.connectTimeoutInSeconds).default(DEFAULTS.connectTimeoutInSeconds),
  readTimeoutInSeconds: z.number().positive().max(LIMITS.readTimeoutInSeconds).default(DEFAULTS.readTimeoutInSeconds),
  sendTimeoutInSeconds: z.number().positive().max(LIMITS.sendTimeoutInSeconds).default(DEFAULTS.sendTimeoutInSeconds),
  isSslVerifyDisabled,
});

/** What node (and HTTP, RFC 9110 §5.5) can send as a header value: HTAB, SP, visible ASCII, obs-text. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

const stockResponseBackend = z.strictObject({
  type: z.literal('STOCK_RESPONSE_BACKEND'),
  // A 1xx is an interim response: no client takes one as the answer (it waits for the final one) [I].
  status: z.number().int().min(200).max(599),
  body: checked(maxBytes(LIMITS.stockBodyBytes)).optional(),
  headers: z
    .array(
      z.strictObject({
        // The SDK leaves both optional; a header without a name cannot be sent, so it is required [I].
        name: checked((s) => maxBytes(LIMITS.stockHeaderNameBytes)(s) ?? (HEADER_TOKEN.test(s) ? undefined : `${quote(s)} is not a valid header name`), nonEmpty),
        value: checked((s) => maxBytes(LIMITS.stockHeaderValueBytes)(s) ?? (HEADER_VALUE.test(s) ? undefined : `${quote(s)} is not a valid header value (control characters or characters beyond Latin-1)`)).optional(),
      }),
    )
    .max(LIMITS.stockHeaders)
    .optional(),
});

const oracleFunctionBackend = z.strictObject({ type: z.literal('ORACLE_FUNCTIONS_BACKEND'), functionId: ocid('fnfunc') });

/** Children of a dynamic routing backend: HTTP, functions or stock only [C D-dyn]. */
const dynamicRoutingBackend = z.strictObject({
  type: z.literal('DYNAMIC_ROUTING_BACKEND'),
  selectionSource: singleSelectionSource,
  routingBackends: z
    .array(z.strictObject({ key: selectionKey, backend: z.discriminatedUnion('type', [httpBackend, oracleFunctionBackend, stockResponseBackend]) }))
    .min(1)
    .max(LIMITS.routingBackends),
});

/** Used only with the OAUTH2 failure policy; shape only. */
const oAuth2LogoutBackend = z.strictObject({
  type: z.literal('OAUTH2_LOGOUT_BACKEND'),
  allowedPostLogoutUris: z.array(nonEmpty).optional(),
  postLogoutState: z.string().optional(),
});
/** Newer SDKs only [C SDK]; shape only. */
const oAuth2LoginBackend = z.strictObject({ type: z.literal('OAUTH2_LOGIN_BACKEND') });

const routeBackend = z.discriminatedUnion('type', [httpBackend, stockResponseBackend, oracleFunctionBackend, dynamicRoutingBackend, oAuth2LogoutBackend, oAuth2LoginBackend]);

const apiSpecificationRoute = z.strictObject({
  path: checked(routePathProblems, z.string().max(LIMITS.routePathLength)),
  methods: z.array(z.enum(ROUTE_METHODS)).min(1).default(() => [...DEFAULTS.methods]),
  backend: routeBackend,
  requestPolicies: apiSpecificationRouteRequestPolicies.optional(),
  responsePolicies: apiSpecificationRouteResponsePolicies.optional(),
  loggingPolicies: loggingPolicies.optional(),
});

export const apiSpecification = z.strictObject({
  requestPolicies: apiSpecificationRequestPolicies.optional(),
  loggingPolicies: loggingPolicies.optional(),
  // The SDK makes routes optional; the REST API (and Terraform) require them [C TF], and a
  // deployment without routes can answer nothing but 404, so at least one is required [I].
  routes: z.array(apiSpecificationRoute).min(1).max(LIMITS.routes),
});

/**
 * The body of `POST /20190501/deployments` (CreateDeploymentDetails) or a deployment file. The
 * specification is validated on its own (it has its own size limit); tags are read and dropped.
 */
export const deploymentEnvelope = z.strictObject({
  pathPrefix: checked(pathPrefixProblems, z.string().min(1).max(LIMITS.pathPrefixLength)),
  specification: z.unknown(),
  displayName: z.string().min(1).max(255).optional(),
  gatewayId: ocid('apigateway').optional(),
  compartmentId: ocid('compartment', 'tenancy').optional(),
  freeformTags: z.record(z.string(), z.string()).optional(),
  definedTags: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

/** Discriminator values: a field missing from such an object is "required for type X". */
export const DISCRIMINATOR_VALUES: ReadonlySet<string> = new Set([
  'JWT_AUTHENTICATION', 'TOKEN_AUTHENTICATION', 'CUSTOM_AUTHENTICATION',
  'REMOTE_JWKS', 'STATIC_KEYS', 'REMOTE_DISCOVERY', 'JSON_WEB_KEY', 'PEM',
  'CUSTOM', 'VALIDATION_BLOCK', 'DISCOVERY_URI', 'MODIFY_RESPONSE', 'OAUTH2',
  'AUTHENTICATION_ONLY', 'ANY_OF', 'ANONYMOUS', 'WILDCARD', 'SINGLE',
  'HTTP_BACKEND', 'STOCK_RESPONSE_BACKEND', 'ORACLE_FUNCTIONS_BACKEND', 'DYNAMIC_ROUTING_BACKEND',
  'OAUTH2_LOGOUT_BACKEND', 'OAUTH2_LOGIN_BACKEND', 'SIMPLE_LOOKUP_POLICY', 'FIXED_TTL_STORE_POLICY',
]);
