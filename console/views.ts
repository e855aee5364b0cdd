/**
 * What the console shows, as data: the IAM's objects from its store (the same objects the token
 * endpoint and the admin API read), the gateway's deployments as the control plane answers them.
 * Pure functions; `/console/api/*` answers them as JSON and the pages render them.
 *
 * Never in here: client secrets (only whether a client has one; `clientSecret()` is the one way
 * to read one, behind the "Show" button) and passwords (only whether a user has one).
 */
import { CUSTOM_USER_SCHEMA, type StackConfig } from '../common/config.js';
import type { IamContext } from '../mock-iam/iam-context.js';
import { customClaimValue } from '../mock-iam/oauth/custom-claims.js';
import { MY_SCOPES } from '../mock-iam/oauth/scopes.js';
import { scimUser, type App } from '../mock-iam/store.js';
import type { ConsoleDeployment } from './gateway-source.js';

type Iam = Pick<IamContext, 'store' | 'issuer' | 'baseUrl' | 'identity' | 'settings' | 'accessTokenExpiry' | 'refreshTokenExpiry'>;

// ---- apps -----------------------------------------------------------------------------------

export interface ScopeView {
  value: string;
  /** What a client asks for and holds: audience + value. */
  fqs: string;
  displayName?: string | undefined;
  description?: string | undefined;
  requiresConsent?: boolean | undefined;
}

export interface ResourceServerView {
  id: string;
  name: string;
  displayName: string;
  description?: string | undefined;
  active: boolean;
  audience: string;
  secondaryAudiences: string[];
  scopes: ScopeView[];
  accessTokenExpiry?: number | undefined;
  refreshTokenExpiry?: number | undefined;
}

export interface ClientView {
  id: string;
  /** The OAuth client_id (IDCS App `name`). */
  clientId: string;
  displayName: string;
  description?: string | undefined;
  active: boolean;
  clientType: string;
  /** How the client authenticates at the token endpoint. */
  authentication: 'client secret' | 'certificate (private_key_jwt)' | 'none (public client)';
  /** Whether a secret exists; its value only through `clientSecret()`. */
  hasSecret: boolean;
  certificates: string[];
  allowedGrants: string[];
  allowedScopes: string[];
  allowedOperations: string[];
  appRoles: string[];
  redirectUris: string[];
}

export interface AppsView {
  resourceServers: ResourceServerView[];
  clients: ClientView[];
}

function resourceServer(app: App): ResourceServerView {
  const audience = app.audience ?? '';
  return {
    id: app.id,
    name: app.name,
    displayName: app.displayName,
    description: app.description,
    active: app.active,
    audience,
    secondaryAudiences: [...app.secondaryAudiences],
    scopes: app.scopes.map((s) => ({ value: s.value, fqs: `${audience}${s.value}`, displayName: s.displayName, description: s.description, requiresConsent: s.requiresConsent })),
    accessTokenExpiry: app.accessTokenExpiry,
    refreshTokenExpiry: app.refreshTokenExpiry,
  };
}

function client(app: App): ClientView {
  const hasSecret = typeof app.clientSecret === 'string' && app.clientSecret !== '';
  return {
    id: app.id,
    clientId: app.name,
    displayName: app.displayName,
    description: app.description,
    active: app.active,
    clientType: app.clientType,
    authentication: hasSecret ? 'client secret' : app.certificates.length ? 'certificate (private_key_jwt)' : 'none (public client)',
    hasSecret,
    certificates: app.certificates.map((c) => c.certAlias),
    allowedGrants: [...app.allowedGrants],
    allowedScopes: app.allowedScopes.map((s) => s.fqs),
    allowedOperations: [...app.allowedOperations],
    appRoles: app.grantedAppRoles.map((r) => r.displayName),
    redirectUris: [...app.redirectUris],
  };
}

const byName = <T>(key: (t: T) => string) => (a: T, b: T) => key(a).localeCompare(key(b));

export function appsView(iam: Pick<Iam, 'store'>): AppsView {
  const apps = [...iam.store.apps.values()];
  return {
    resourceServers: apps.filter((a) => a.isOAuthResource).map(resourceServer).sort(byName((r) => r.name)),
    clients: apps.filter((a) => a.isOAuthClient).map(client).sort(byName((c) => c.clientId)),
  };
}

/** A client's secret, for the one place that shows it on request; undefined when there is none. */
export function clientSecret(iam: Pick<Iam, 'store'>, clientId: string): string | undefined {
  const app = iam.store.appByClientId(clientId);
  return app?.isOAuthClient ? app.clientSecret : undefined;
}

// ---- users ----------------------------------------------------------------------------------

export interface UserView {
  id: string;
  userName: string;
  displayName?: string | undefined;
  givenName?: string | undefined;
  familyName?: string | undefined;
  emails: string[];
  active: boolean;
  timezone?: string | undefined;
  locale?: string | undefined;
  preferredLanguage?: string | undefined;
  appRoles: string[];
  /** The custom schema extension's attributes this user has, with the attribute's display name. */
  customAttributes: Array<{ name: string; displayName?: string | undefined; value: unknown }>;
  /** Whether the user can sign in with a password (its value is never shown). */
  hasPassword: boolean;
  /** Whether the stack config seeds this user's password (the workbench can use it without asking). */
  passwordInConfig: boolean;
}

export interface SchemaAttributeView {
  name: string;
  type: string;
  multiValued: boolean;
  displayName?: string | undefined;
  description?: string | undefined;
}

export interface UsersView {
  users: UserView[];
  schemaAttributes: SchemaAttributeView[];
  schema: string;
}

export function usersView(iam: Pick<Iam, 'store'>, config: Pick<StackConfig, 'iam'>): UsersView {
  const attributes = iam.store.customUserSchemaAttributes;
  const seeded = seededPasswords(config);
  const users = [...iam.store.users.values()].map(
    (u): UserView => ({
      id: u.id,
      userName: u.userName,
      displayName: u.displayName,
      givenName: u.name?.givenName,
      familyName: u.name?.familyName,
      emails: u.emails.map((e) => e.value),
      active: u.active,
      timezone: u.timezone,
      locale: u.locale,
      preferredLanguage: u.preferredLanguage,
      appRoles: u.grantedAppRoles.map((r) => r.displayName),
      customAttributes: Object.entries(u[CUSTOM_USER_SCHEMA] ?? {}).map(([name, value]) => ({
        name,
        displayName: attributes.find((a) => a.name === name)?.idcsDisplayName,
        value,
      })),
      hasPassword: u.passwordHash !== undefined,
      passwordInConfig: seeded.has(u.userName.toLowerCase()),
    }),
  );
  return {
    users: users.sort(byName((u) => u.userName)),
    schemaAttributes: attributes.map((a) => ({ name: a.name, type: a.type, multiValued: a.multiValued, displayName: a.idcsDisplayName, description: a.description })),
    schema: CUSTOM_USER_SCHEMA,
  };
}

/**
 * The passwords the stack config seeds, by lower-case user name. The store keeps only hashes;
 * these are test fixtures the workbench may send for a seeded user, never shown in a page.
 */
export function seededPasswords(config: Pick<StackConfig, 'iam'>): Map<string, string> {
  return new Map(config.iam.users.filter((u) => u.password !== undefined).map((u) => [u.userName.toLowerCase(), u.password!]));
}

// ---- custom claims --------------------------------------------------------------------------

export interface CustomClaimView {
  id: string;
  name: string;
  value: string;
  expression: boolean;
  mode: string;
  tokenType: string;
  allScopes: boolean;
  scopes: string[];
  /** What the claim gives each user's token (an expression is evaluated as the token service does). */
  perUser: Array<{ userName: string; value: unknown }>;
}

export interface CustomClaimsView {
  enabled: boolean;
  claims: CustomClaimView[];
}

export function customClaimsView(iam: Pick<Iam, 'store' | 'settings'>): CustomClaimsView {
  const users = [...iam.store.users.values()];
  return {
    enabled: iam.settings.customClaimsEnabled,
    claims: [...iam.store.customClaims.values()]
      // The stored rule as it is (its id and configured fields), without the SCIM metadata.
      .map(({ meta: _meta, ...rule }) => ({
        ...rule,
        scopes: [...rule.scopes],
        perUser: users.map((u) => ({ userName: u.userName, value: customClaimValue(rule, scimUser(u)) })),
      }))
      .sort(byName((c) => c.name)),
  };
}

// ---- the workbench's choices ------------------------------------------------------------------

/** The grants the workbench can run (the others need a browser or a signed assertion). */
export const WORKBENCH_GRANTS = ['client_credentials', 'password', 'refresh_token'] as const;
export type WorkbenchGrant = (typeof WORKBENCH_GRANTS)[number];

export interface WorkbenchChoices {
  clients: Array<{ clientId: string; displayName: string; grants: WorkbenchGrant[]; scopes: string[]; usable: boolean; note?: string | undefined }>;
  users: Array<{ userName: string; displayName?: string | undefined; passwordInConfig: boolean }>;
  /** Every scope a client may ask for, with the clients that may (`MY_SCOPES` for all). */
  scopes: Array<{ scope: string; clients: string[] | 'all'; description?: string | undefined }>;
}

export function workbenchChoices(iam: Pick<Iam, 'store'>, config: Pick<StackConfig, 'iam'>): WorkbenchChoices {
  const { clients, resourceServers } = appsView(iam);
  const descriptions = new Map(resourceServers.flatMap((r) => r.scopes.map((s) => [s.fqs, s.description ?? s.displayName] as const)));
  const scopeClients = new Map<string, string[]>();
  for (const c of clients) for (const s of c.allowedScopes) scopeClients.set(s, [...(scopeClients.get(s) ?? []), c.clientId]);
  return {
    clients: clients.map((c) => {
      const grants = WORKBENCH_GRANTS.filter((g) => c.allowedGrants.includes(g));
      const certificate = c.authentication.startsWith('certificate');
      const note = certificate
        ? 'authenticates with a certificate (private_key_jwt): use the CLI or your own client'
        : grants.length === 0
          ? `no grant the workbench runs (allowed: ${c.allowedGrants.join(', ') || 'none'})`
          : !c.active
            ? 'inactive: the token endpoint refuses it'
            : undefined;
      return { clientId: c.clientId, displayName: c.displayName, grants, scopes: c.allowedScopes, usable: grants.length > 0 && !certificate, note };
    }),
    users: usersView(iam, config).users.map((u) => ({ userName: u.userName, displayName: u.displayName, passwordInConfig: u.passwordInConfig })),
    scopes: [
      ...[...scopeClients].map(([scope, allowed]) => ({ scope, clients: allowed as string[] | 'all', description: descriptions.get(scope) })),
      { scope: MY_SCOPES, clients: 'all' as const, description: 'every scope the client (and the user) holds, app roles included' },
      { scope: 'offline_access', clients: clients.filter((c) => c.allowedGrants.includes('refresh_token')).map((c) => c.clientId), description: 'also issue a refresh token' },
    ].filter((s) => s.clients === 'all' || s.clients.length > 0),
  };
}

// ---- gateway deployments ----------------------------------------------------------------------

type Json = Record<string, any>;

export interface AuthenticationView {
  type: string;
  /** Where the gateway looks for the token. */
  tokenLocation?: string | undefined;
  isAnonymousAccessAllowed: boolean;
  issuers: string[];
  audiences: string[];
  verifyClaims: Array<{ key: string; values: string[]; isRequired: boolean }>;
  /** How signatures are checked: the JWKS URL, static keys, or the authorizer function. */
  keys?: string | undefined;
  maxClockSkewInSeconds?: number | undefined;
  functionId?: string | undefined;
}

export interface RouteView {
  path: string;
  methods: string[];
  backend: string;
  /** AUTHENTICATION_ONLY, ANY_OF, ANONYMOUS, or none (a deployment without authentication). */
  authorizationType: string;
  allowedScope: string[];
  /** Route-level policies besides authorization (header transformations, validations, …). */
  otherPolicies: string[];
}

export interface DeploymentView {
  id: string;
  displayName: string;
  pathPrefix: string;
  endpoint: string;
  source?: string | undefined;
  authentication?: AuthenticationView | undefined;
  dynamicAuthentication: Array<{ key: string; authentication: AuthenticationView }>;
  /** Deployment-wide policies besides authentication (rate limiting, CORS, mutual TLS, usage plans). */
  otherPolicies: string[];
  routes: RouteView[];
}

function authenticationView(policy: Json): AuthenticationView {
  const validation: Json = policy.validationPolicy ?? {};
  const extra: Json = validation.additionalValidationPolicy ?? {};
  const keySet: Json | undefined = policy.type === 'JWT_AUTHENTICATION' ? policy.publicKeys : policy.type === 'TOKEN_AUTHENTICATION' ? validation : undefined;
  const keys =
    keySet?.type === 'REMOTE_JWKS'
      ? `REMOTE_JWKS ${keySet.uri}${keySet.maxCacheDurationInHours ? ` (cached up to ${keySet.maxCacheDurationInHours} h)` : ''}`
      : keySet?.type === 'STATIC_KEYS'
        ? `STATIC_KEYS (${(keySet.keys ?? []).map((k: Json) => k.kid).join(', ')})`
        : keySet?.type === 'REMOTE_DISCOVERY'
          ? `REMOTE_DISCOVERY ${keySet.sourceUriDetails?.uri ?? ''}`.trim()
          : undefined;
  const location = policy.tokenQueryParam
    ? `query parameter ${policy.tokenQueryParam}`
    : policy.tokenHeader
      ? `header ${policy.tokenHeader}${policy.tokenAuthScheme ? `, scheme ${policy.tokenAuthScheme}` : ''}`
      : undefined;
  const claims: Json[] = (policy.type === 'JWT_AUTHENTICATION' ? policy.verifyClaims : extra.verifyClaims) ?? [];
  return {
    type: String(policy.type),
    tokenLocation: location,
    isAnonymousAccessAllowed: policy.isAnonymousAccessAllowed === true,
    issuers: (policy.type === 'JWT_AUTHENTICATION' ? policy.issuers : extra.issuers) ?? [],
    audiences: (policy.type === 'JWT_AUTHENTICATION' ? policy.audiences : extra.audiences) ?? [],
    verifyClaims: claims.map((c) => ({ key: String(c.key), values: (c.values ?? []).map(String), isRequired: c.isRequired === true })),
    keys,
    maxClockSkewInSeconds: policy.maxClockSkewInSeconds,
    functionId: policy.functionId,
  };
}

function backendText(backend: Json | undefined): string {
  if (!backend) return '(none)';
  switch (backend.type) {
    case 'HTTP_BACKEND':
      return `HTTP ${backend.url}`;
    case 'STOCK_RESPONSE_BACKEND':
      return `stock response ${backend.status}`;
    case 'ORACLE_FUNCTIONS_BACKEND':
      return `function ${backend.functionId}`;
    case 'DYNAMIC_ROUTING_BACKEND':
      return `dynamic routing on ${backend.selectionSource?.selector ?? '?'} (${(backend.routingBackends ?? []).length} backends)`;
    default:
      return String(backend.type);
  }
}

const POLICY_TITLES: Record<string, string> = {
  rateLimiting: 'rate limiting',
  cors: 'CORS',
  mutualTls: 'mutual TLS',
  usagePlans: 'usage plans',
  headerTransformations: 'header transformations',
  queryParameterTransformations: 'query parameter transformations',
  queryParameterValidations: 'query parameter validations',
  headerValidations: 'header validations',
  bodyValidation: 'body validation',
  responseCacheLookup: 'response cache',
};

function policyTitles(policies: Json | undefined, skip: string[]): string[] {
  return Object.keys(policies ?? {})
    .filter((k) => !skip.includes(k))
    .map((k) => {
      if (k === 'rateLimiting') return `rate limiting: ${policies!.rateLimiting.rateInRequestsPerSecond}/s per ${policies!.rateLimiting.rateKey}`;
      if (k === 'cors') return `CORS: origins ${(policies!.cors.allowedOrigins ?? []).join(', ')}`;
      return POLICY_TITLES[k] ?? k;
    });
}

export function deploymentView(d: ConsoleDeployment): DeploymentView {
  const spec = (d.specification ?? {}) as Json;
  const policies: Json = spec.requestPolicies ?? {};
  const hasAuthentication = policies.authentication !== undefined || policies.dynamicAuthentication !== undefined;
  return {
    id: d.id,
    displayName: d.displayName,
    pathPrefix: d.pathPrefix,
    endpoint: d.endpoint,
    source: d.source,
    authentication: policies.authentication ? authenticationView(policies.authentication) : undefined,
    dynamicAuthentication: ((policies.dynamicAuthentication?.authenticationServers ?? []) as Json[]).map((s) => ({
      key: `${s.key?.type ?? ''} ${s.key?.name ?? ''}${s.key?.values ? ` = ${s.key.values.join(', ')}` : s.key?.expression ? ` ~ ${s.key.expression}` : ''}${s.key?.isDefault ? ' (default)' : ''}`.trim(),
      authentication: authenticationView(s.authenticationServerDetail ?? {}),
    })),
    otherPolicies: policyTitles(policies, ['authentication', 'dynamicAuthentication']),
    routes: ((spec.routes ?? []) as Json[]).map((r) => {
      const routePolicies: Json = r.requestPolicies ?? {};
      const authorization: Json | undefined = routePolicies.authorization;
      return {
        path: String(r.path),
        methods: (r.methods ?? ['ANY']).map(String),
        backend: backendText(r.backend),
        authorizationType: authorization?.type ?? (hasAuthentication ? 'AUTHENTICATION_ONLY (default)' : 'none (no authentication policy)'),
        allowedScope: (authorization?.allowedScope ?? []).map(String),
        otherPolicies: [...policyTitles(routePolicies, ['authorization']), ...policyTitles(r.responsePolicies, []).map((p) => `response: ${p}`)],
      };
    }),
  };
}

// ---- overview -------------------------------------------------------------------------------

/** A piece of a command line: text, or a secret shown only on request. */
export type Segment = string | { secret: string; label: string };

export interface CurlBlock {
  id: string;
  title: string;
  lines: Segment[][];
}

export interface OverviewData {
  iam: { baseUrl: string; issuer: string; tokenEndpoint: string; jwks: string; jwksPublic: boolean; discovery: string; tenant: string; domainUrl: string };
  gateway: { kind: 'in-process' | 'remote'; controlPlaneUrl: string; dataPlaneUrl?: string | undefined; decisionsUrl: string; error?: string | undefined };
  seeded: Array<{ title: string; href: string; names: string[] }>;
  curl: CurlBlock[];
}

/** Text of a command line, secrets in place or masked. */
export function segmentText(line: Segment[], reveal: boolean): string {
  return line.map((s) => (typeof s === 'string' ? s : reveal ? s.secret : `<${s.label}>`)).join('');
}

/**
 * Copyable curl lines in the form `npm start` prints them (`describeStack`): a token request for
 * each client the stack seeds with a secret (its first allowed scope, else `__myscopes__`; the
 * password grant with the first seeded user), then a call of each GET route of the gateway with
 * that token.
 */
export function curlBlocks(iam: Pick<Iam, 'store' | 'baseUrl'>, config: Pick<StackConfig, 'iam'>, deployments: ConsoleDeployment[], dataPlaneUrl: string | undefined): CurlBlock[] {
  const token = `${iam.baseUrl}/oauth2/v1/token`;
  const tokenOf = (curl: Segment[]): Segment[] => ['TOKEN=$(', ...curl, ` | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`];
  const blocks: CurlBlock[] = [];
  const user = config.iam.users.find((u) => u.password !== undefined && iam.store.userByName(u.userName));
  for (const app of [...iam.store.apps.values()].filter((a) => a.isOAuthClient && a.clientSecret && a.active)) {
    const secret: Segment = { secret: app.clientSecret!, label: `client secret of ${app.name}` };
    const scope = app.allowedScopes[0]?.fqs ?? MY_SCOPES;
    if (app.allowedGrants.includes('client_credentials')) {
      blocks.push({
        id: `cc-${app.name}`,
        title: `${app.name}: client credentials, scope ${scope}`,
        lines: [tokenOf([`curl -s -u '${app.name}:`, secret, `' -d grant_type=client_credentials -d scope=${scope} ${token}`])],
      });
    }
    if (app.allowedGrants.includes('password') && user) {
      const password: Segment = { secret: user.password!, label: `password of ${user.userName}` };
      blocks.push({
        id: `ro-${app.name}`,
        title: `${app.name}: password grant for ${user.userName}, scope ${scope}`,
        lines: [tokenOf([`curl -s -u '${app.name}:`, secret, `' -d grant_type=password -d 'username=${user.userName}' -d 'password=`, password, `' -d scope=${scope} ${token}`])],
      });
    }
  }
  if (dataPlaneUrl) {
    const calls: Segment[][] = deployments.flatMap((d) =>
      ((d.specification as Json)?.routes ?? [])
        .filter((r: Json) => !/[{*]/.test(String(r.path)) && (r.methods ?? ['ANY']).some((m: string) => m === 'GET' || m === 'ANY'))
        .map((r: Json): Segment[] => [`curl -i -H "Authorization: Bearer $TOKEN" ${dataPlaneUrl}${d.pathPrefix}${r.path}`]),
    );
    if (calls.length) blocks.push({ id: 'gateway-calls', title: 'call the gateway with $TOKEN (each GET route)', lines: calls });
  }
  return blocks;
}
