/**
 * OCI API Gateway's limits and defaults for a deployment specification, in one place, so the
 * validator, the pipeline and the docs quote the same numbers. Each value names its source in the
 * reference (`shared/reference/oci-api-gateway.md`): [C] confirmed, [I] our inference.
 */

export const LIMITS = {
  /** Routes per deployment, not changeable [C D-limits]. */
  routes: 50,
  /** Path prefix length [C D-limits]. */
  pathPrefixLength: 255,
  /** Route path length [C D-limits]. */
  routePathLength: 2000,
  /** The whole specification as JSON: 2 MB [C D-limits], read as 2 MiB [I]. */
  specificationBytes: 2 * 1024 * 1024,
  /** JWT / TOKEN authentication [C D-tokjson, D-jwtpol]. */
  issuers: 5,
  audiences: 5,
  verifyClaims: 10,
  staticKeys: 10,
  maxClockSkewInSeconds: 120,
  /** JWKS and introspection cache, whole hours [C D-tok]. */
  minCacheDurationInHours: 1,
  maxCacheDurationInHours: 24,
  /** RSA key sizes the gateway verifies with [C D-prereq]. */
  minRsaBits: 2048,
  maxRsaBits: 4096,
  /** CORS [C D-limits]. */
  corsMethods: 50,
  corsHeaders: 50,
  /** Header and query parameter transformations [C D-xf]. */
  setItems: 20,
  valuesPerSetItem: 10,
  renameItems: 20,
  filterItems: 50,
  /** HTTP backend timeouts in seconds [C D-http, D-limits]. */
  connectTimeoutInSeconds: 75,
  readTimeoutInSeconds: 300,
  sendTimeoutInSeconds: 300,
  /** Stock response [C D-limits]; D-stock says a 5 KB body, D-limits 4096 bytes: the stricter wins. */
  stockHeaders: 50,
  stockHeaderNameBytes: 1024,
  stockHeaderValueBytes: 4096,
  stockBodyBytes: 4096,
  /** Authorizer function arguments [C D-limits]. */
  authorizerParameters: 10,
  authorizerCacheKeys: 10,
  /** Dynamic routing and multi-authentication [C D-limits]. */
  routingBackends: 100,
  authenticationServers: 100,
  selectionKeyValues: 100,
  /** mTLS [C D-limits]. */
  mutualTlsSans: 10,
} as const;

/** The values OCI assumes when a field is absent; the validator writes them into its output. */
export const DEFAULTS = {
  /** A route without `methods` answers every method [I]. */
  methods: ['ANY'] as const,
  /** [C D-http, D-limits] */
  connectTimeoutInSeconds: 60,
  readTimeoutInSeconds: 10,
  sendTimeoutInSeconds: 10,
  /** [C SDK] */
  validationMode: 'ENFORCING',
  /** [C D-xf] */
  ifExists: 'OVERWRITE',
  /** [C] */
  isAnonymousAccessAllowed: false,
  /** [C D-jwtpol] */
  maxClockSkewInSeconds: 0,
  /** Documented for the introspection cache [C D-tok]; taken over for the JWKS cache [I]. */
  maxCacheDurationInHours: 1,
  /** [C Console default] */
  isSslVerifyDisabled: false,
  /** verifyClaims[].isRequired [I]. */
  isRequired: false,
  /** CORS [C D-cors]. */
  isAllowCredentialsEnabled: false,
  maxAgeInSeconds: 0,
  /** OAUTH2 failure policy [C D-tokjson]. */
  maxExpiryDurationInHours: 1,
} as const;

/** At most this many problems are reported for one input; the rest are counted. */
export const MAX_PROBLEMS = 100;

/** Deeper JSON than this is refused before any schema runs (a legitimate spec is ~12 levels) [I]. */
export const MAX_JSON_DEPTH = 64;
