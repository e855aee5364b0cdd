/**
 * The stack configuration: one YAML file, one typed shape, validated once at start.
 *
 * The IAM's seeded objects are written as IDCS REST bodies (App, User, CustomClaim fields as
 * `/admin/v1/*` takes them) so a user recognises them and the admin API can later serve the same
 * objects. The only environment variables read are the listeners of CONTRACT.md
 * (`HOST`, `IAM_PORT`, `GATEWAY_PORT`, `GATEWAY_ADMIN_PORT`, `BACKEND_PORT`).
 *
 * Several files can be layered (`npm start -- --config A --config B`): B is merged onto A, so a
 * deployment variant (docker compose: `config/compose-stack.yaml`) states only what differs.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { APP_ROLES } from '../mock-iam/app-roles.js';
import { OCI_API_KEY_ID, ociKeyFingerprint, ociPublicKey, ociPublicKeyProblem, type OciApiKey } from './oci-signature.js';

export const ISSUER_PRESETS = {
  /** Legacy IDCS and the default of identity domains: note the trailing slash. */
  idcs: 'https://identity.oraclecloud.com/',
  /** The identity-domain form some domains are set to: no trailing slash. */
  'identity-domain': 'https://identity.oraclecloud.com',
} as const;

const appRoleName = z.enum(APP_ROLES.map((r) => r.displayName) as [string, ...string[]]);
const port = z.number().int().min(0).max(65535);
const nonEmpty = z.string().min(1);

const scopeSchema = z.strictObject({
  value: nonEmpty,
  displayName: z.string().optional(),
  description: z.string().optional(),
  requiresConsent: z.boolean().optional(),
});

const certificateSchema = z.strictObject({
  certAlias: nonEmpty,
  /** Base64 DER (as IDCS stores it) or a PEM certificate. */
  x509Base64Certificate: nonEmpty,
});

export const GRANT_TYPES = [
  'client_credentials',
  'password',
  'refresh_token',
  'authorization_code',
  'implicit',
  'urn:ietf:params:oauth:grant-type:jwt-bearer',
  'urn:ietf:params:oauth:grant-type:device_code',
  'tls_client_auth',
] as const;

const appSchema = z.strictObject({
  /** The SCIM id; generated when absent. */
  id: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
  /** The OAuth client_id (IDCS App `name`). */
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, 'letters, digits, _ . - only'),
  displayName: nonEmpty,
  description: z.string().optional(),
  active: z.boolean().default(true),
  basedOnTemplate: z.strictObject({ value: nonEmpty }).default({ value: 'CustomWebAppTemplateId' }),
  // Client side
  isOAuthClient: z.boolean().default(false),
  clientType: z.enum(['confidential', 'public', 'trusted']).default('confidential'),
  clientSecret: z.string().optional(),
  allowedGrants: z.array(z.enum(GRANT_TYPES)).default([]),
  allowedScopes: z.array(z.strictObject({ fqs: nonEmpty })).default([]),
  allowedOperations: z.array(z.enum(['introspect', 'onBehalfOfUser'])).default([]),
  certificates: z.array(certificateSchema).default([]),
  redirectUris: z.array(z.string()).default([]),
  /** Names of IDCS admin app roles granted to this app (what `/admin/v1/Grants` would record). */
  grantedAppRoles: z.array(appRoleName).default([]),
  // Resource-server side
  isOAuthResource: z.boolean().default(false),
  audience: z.string().optional(),
  secondaryAudiences: z.array(nonEmpty).default([]),
  scopes: z.array(scopeSchema).default([]),
  accessTokenExpiry: z.number().int().min(60).max(31_536_000).optional(),
  refreshTokenExpiry: z.number().int().min(60).max(31_536_000).optional(),
});

export const CUSTOM_USER_SCHEMA = 'urn:ietf:params:scim:schemas:idcs:extension:custom:User';

const userSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
  userName: nonEmpty,
  password: z.string().optional(),
  displayName: z.string().optional(),
  name: z
    .strictObject({
      givenName: z.string().optional(),
      familyName: z.string().optional(),
      formatted: z.string().optional(),
    })
    .optional(),
  emails: z
    .array(z.strictObject({ value: nonEmpty, type: z.enum(['work', 'home', 'other', 'recovery']).default('work'), primary: z.boolean().default(false) }))
    .default([]),
  active: z.boolean().default(true),
  timezone: z.string().optional(),
  locale: z.string().optional(),
  preferredLanguage: z.string().optional(),
  /** Names of IDCS admin app roles the user holds. */
  grantedAppRoles: z.array(appRoleName).default([]),
  [CUSTOM_USER_SCHEMA]: z.record(z.string(), z.unknown()).default({}),
});

const schemaAttributeSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'a letter, then letters, digits or _'),
  type: z.enum(['string', 'boolean', 'integer', 'decimal', 'dateTime', 'reference']).default('string'),
  multiValued: z.boolean().default(false),
  description: z.string().optional(),
  idcsDisplayName: z.string().optional(),
});

const customClaimSchema = z
  .strictObject({
    name: z.string().min(1).max(100),
    value: nonEmpty,
    expression: z.boolean().default(false),
    // IDCS documents lowercase; its SDK enum is uppercase. Accept both, keep lowercase.
    mode: z
      .string()
      .transform((m) => m.toLowerCase())
      .pipe(z.enum(['always', 'request', 'never']))
      .default('always'),
    tokenType: z.enum(['AT', 'IT', 'BOTH']).default('AT'),
    allScopes: z.boolean().default(false),
    scopes: z.array(nonEmpty).default([]),
  })
  .refine((c) => c.allScopes || c.scopes.length > 0, { message: 'set allScopes: true or list at least one fully qualified scope', path: ['scopes'] });

const iamSchema = z.strictObject({
  port: port.default(8080),
  /** The base URL the IAM advertises in discovery (defaults to http://HOST:PORT). */
  baseUrl: z.url().optional(),
  /** `idcs`, `identity-domain`, or an explicit issuer string (used verbatim). */
  issuer: z.string().min(1).default('idcs'),
  /** The IDCS tenant name (`idcs-<32 hex>`), as in `tenant`, `client_tenantname`, `user.tenant.name`. */
  tenant: z.string().regex(/^idcs-[0-9a-f]{32}$/, 'idcs- followed by 32 lowercase hex digits').default('idcs-0a1b2c3d4e5f60718293a4b5c6d7e8f9'),
  /** Region of the identity domain, used in the `*.secure.identity.oraclecloud.com` audience. */
  region: z.string().regex(/^[a-z]+-[a-z]+-\d+$/).default('eu-frankfurt-1'),
  accessTokenExpiry: z.number().int().min(60).max(31_536_000).default(3600),
  refreshTokenExpiry: z.number().int().min(60).max(31_536_000).default(604_800),
  signingKeys: z
    .strictObject({
      /** Where keys are kept across restarts; without it keys live in memory only. */
      file: z.string().optional(),
      /** The key that signs. A kid not in the key file is generated: that is a rotation. */
      activeKid: nonEmpty.default('SIGNING_KEY'),
      /** Older keys still published in the JWKS are dropped once listed here. */
      retiredKids: z.array(nonEmpty).default([]),
      /**
       * `key_ops` of each JWK. IDCS publishes `["verify","encrypt"]`, which WebCrypto-based
       * verifiers (jose, jwks-rsa) refuse to import; `[verify]` relaxes that, `[]` omits the member.
       */
      jwkKeyOps: z.array(z.enum(['sign', 'verify', 'encrypt', 'decrypt', 'wrapKey', 'unwrapKey'])).default(['verify', 'encrypt']),
    })
    .default({ activeKid: 'SIGNING_KEY', retiredKids: [], jwkKeyOps: ['verify', 'encrypt'] }),
  /**
   * Where apps, users, grants, schema attributes and custom claims are kept across restarts
   * (relative to the config file). Without it the IAM lives in memory and starts from the seeds.
   */
  stateFile: z.string().optional(),
  settings: z
    .strictObject({
      /** IDCS "Access signing certificate / Configure client access": JWKS readable without a token. */
      signingCertPublicAccess: z.boolean().default(false),
      /** Legacy IDCS has custom claims off until a service request; off, every CustomClaims call fails. */
      customClaimsEnabled: z.boolean().default(true),
    })
    .default({ signingCertPublicAccess: false, customClaimsEnabled: true }),
  apps: z.array(appSchema).default([]),
  users: z.array(userSchema).default([]),
  customUserSchemaAttributes: z.array(schemaAttributeSchema).default([]),
  customClaims: z.array(customClaimSchema).default([]),
});

/** Where one component reaches another: an http(s) base URL, no query or fragment. */
const linkUrl = z
  .url({ protocol: /^https?$/, error: 'an http:// or https:// URL, e.g. http://mock-iam:8080' })
  .refine((u) => !/[?#]/.test(u), 'a base URL without query or fragment');

const stackSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  /**
   * Where the gateway reaches the components it does not run itself (`--component gateway`, one
   * container per component). Absent: `http://HOST:PORT` of this config. A component running in
   * the same process is always reached at its own listener.
   */
  links: z
    .strictObject({
      /** The mock IAM: the JWKS URI of the use-case deployments (`<iamUrl>/admin/v1/SigningCert/jwk`). */
      iamUrl: linkUrl.optional(),
      /** The echo backend: the HTTP backend of the use-case deployments. */
      backendUrl: linkUrl.optional(),
      /** The gateway's control plane, where the IAM's web console (`/console`) reads deployments and decisions when the gateway runs in another process. */
      gatewayAdminUrl: linkUrl.optional(),
    })
    .default({}),
  iam: iamSchema.default(() => iamSchema.parse({})),
  /** OCI API signing keys (the console's "API keys") that the IAM admin API and the gateway control plane accept. */
  ociApiKeys: z
    .array(
      z.strictObject({
        keyId: z.string().regex(OCI_API_KEY_ID, '<tenancy OCID>/<user OCID>/<fingerprint>, the fingerprint as 16 lowercase hex pairs joined by ":"'),
        /** The public half in PEM, as uploaded in the console. */
        publicKey: z.string().superRefine((pem, ctx) => {
          const problem = ociPublicKeyProblem(pem);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      }),
    )
    .default([]),
  // Seams for the later components: their sections are reserved and only carry listeners today.
  gateway: z
    .strictObject({
      port: port.default(8000),
      adminPort: port.default(8001),
      /** Deployment files (`{pathPrefix, specification, displayName?}`, JSON or YAML), relative to the config file; reloaded when they change. */
      deployments: z.array(nonEmpty).default([]),
      /** `ORACLE_FUNCTIONS_BACKEND` and `CUSTOM_AUTHENTICATION` function OCIDs mapped to local HTTP URLs. */
      functions: z.record(z.string().regex(/^ocid1\.fnfunc\./, 'a function OCID (ocid1.fnfunc.…)'), z.url()).default({}),
      /** Opt-in: refusals carry the reason in an `x-harness-reason` header (off: the contract stays OCI's). */
      explainRefusals: z.boolean().default(false),
      /** How many recent decisions `GET /_harness/decisions` keeps (docs/configuration.md: why 100). */
      decisionLogSize: z.number().int().min(1).max(100_000).default(100),
      /** Deploy the blog's `/test` and `/test2` against this stack's IAM and echo backend at start. */
      useCaseDeployments: z.boolean().default(false),
    })
    .default({ port: 8000, adminPort: 8001, deployments: [], functions: {}, explainRefusals: false, decisionLogSize: 100, useCaseDeployments: false }),
  backend: z.strictObject({ port: port.default(8081) }).default({ port: 8081 }),
});

export type StackConfig = z.infer<typeof stackSchema>;
export type IamConfig = StackConfig['iam'];
export type AppConfig = z.infer<typeof appSchema>;
export type UserConfig = z.infer<typeof userSchema>;
export type CustomClaimConfig = z.infer<typeof customClaimSchema>;
export type SchemaAttributeConfig = z.infer<typeof schemaAttributeSchema>;

/** A configuration problem, naming the file and every field that is wrong. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`Invalid stack config (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** A zod issue path as the config and scenario errors print it: `iam.apps[2].allowedScopes[0].fqs`. */
export function fieldPath(path: PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** Cross-field rules zod cannot see field by field. */
function checkReferences(config: StackConfig): string[] {
  const problems: string[] = [];
  const { iam } = config;
  const names = new Map<string, number>();
  iam.apps.forEach((app, i) => {
    if (names.has(app.name)) problems.push(`iam.apps[${i}].name: "${app.name}" is already the name of iam.apps[${names.get(app.name)}]`);
    names.set(app.name, i);
    if (app.isOAuthResource && !app.audience) problems.push(`iam.apps[${i}].audience: a resource server (isOAuthResource: true) needs an audience`);
    if (app.isOAuthClient && app.clientType !== 'public' && !app.clientSecret && app.certificates.length === 0) {
      problems.push(`iam.apps[${i}].clientSecret: a ${app.clientType} client needs a clientSecret or certificates`);
    }
  });
  const fqs = new Set(iam.apps.filter((a) => a.isOAuthResource).flatMap((a) => a.scopes.map((s) => `${a.audience}${s.value}`)));
  iam.apps.forEach((app, i) =>
    app.allowedScopes.forEach((s, j) => {
      if (!fqs.has(s.fqs)) problems.push(`iam.apps[${i}].allowedScopes[${j}].fqs: "${s.fqs}" is no resource server's audience + scope value`);
    }),
  );
  const userNames = new Set<string>();
  const attributes = new Set(iam.customUserSchemaAttributes.map((a) => a.name));
  iam.users.forEach((user, i) => {
    if (userNames.has(user.userName.toLowerCase())) problems.push(`iam.users[${i}].userName: "${user.userName}" is used twice`);
    userNames.add(user.userName.toLowerCase());
    for (const attr of Object.keys(user[CUSTOM_USER_SCHEMA])) {
      if (!attributes.has(attr)) problems.push(`iam.users[${i}].${CUSTOM_USER_SCHEMA}.${attr}: no such attribute in iam.customUserSchemaAttributes`);
    }
  });
  iam.customClaims.forEach((claim, i) =>
    claim.scopes.forEach((s, j) => {
      if (!fqs.has(s)) problems.push(`iam.customClaims[${i}].scopes[${j}]: "${s}" is no resource server's audience + scope value (IDCS then answers invalid_scope)`);
    }),
  );
  problems.push(...checkOciApiKeys(config.ociApiKeys));
  return problems;
}

const ENV_PORTS: Array<[name: string, section: string, field: string]> = [
  ['IAM_PORT', 'iam', 'port'],
  ['GATEWAY_PORT', 'gateway', 'port'],
  ['GATEWAY_ADMIN_PORT', 'gateway', 'adminPort'],
  ['BACKEND_PORT', 'backend', 'port'],
];

const ROOT_NOT_A_MAPPING = '(root): must be a mapping of sections (host, links, iam, gateway, backend, ociApiKeys)';

/** Validates a raw config object (parsed YAML) and returns the typed config. */
export function parseStackConfig(raw: unknown, source = 'inline', env: NodeJS.ProcessEnv = {}): StackConfig {
  const input: Record<string, any> = raw === null || raw === undefined ? {} : structuredClone(raw as Record<string, any>);
  if (typeof input !== 'object' || Array.isArray(input)) throw new ConfigError(source, [ROOT_NOT_A_MAPPING]);
  const envProblems: string[] = [];
  if (env.HOST) input.host = env.HOST;
  for (const [name, section, field] of ENV_PORTS) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    if (!/^\d+$/.test(value) || Number(value) > 65535) envProblems.push(`environment ${name}: "${value}" is not a port number`);
    else if (input[section] === undefined || input[section] === null) input[section] = { [field]: Number(value) };
    // A section that is not a mapping is left as it is for the schema to name.
    else if (typeof input[section] === 'object' && !Array.isArray(input[section])) input[section][field] = Number(value);
  }
  if (envProblems.length) throw new ConfigError(source, envProblems);
  const result = stackSchema.safeParse(input);
  if (!result.success) {
    throw new ConfigError(
      source,
      result.error.issues.map((issue) => `${fieldPath(issue.path)}: ${issue.message}`),
    );
  }
  const problems = checkReferences(result.data);
  if (problems.length) throw new ConfigError(source, problems);
  return result.data;
}

/**
 * YAML text to plain data, strictly: a key written twice in one mapping is an error (YAML 1.2
 * says so; a silent "last one wins" would hide a typo). Problems name the line.
 */
export function parseYaml(text: string): { ok: true; value: unknown } | { ok: false; problems: string[] } {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) {
    // One syntax slip makes the parser report every token after it: the first few say it all.
    const shown = doc.errors.slice(0, 3).map((e) => `line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0]}`);
    if (doc.errors.length > 3) shown.push(`(${doc.errors.length - 3} more problems, probably caused by the first)`);
    return { ok: false, problems: shown };
  }
  try {
    return { ok: true, value: doc.toJS() };
  } catch (err) {
    // toJS resolves aliases: `*name` without an earlier `&name` throws a ReferenceError here.
    return { ok: false, problems: [(err as Error).message.split('\n')[0]!] };
  }
}

/** Where the checked-in default stack config lives. */
export const DEFAULT_CONFIG_FILE = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'config', 'default-stack.yaml');

/**
 * Reads and validates a stack config file, or several layered in order (each merged onto the ones
 * before it, see `layerConfig`). Relative paths inside a file (the key file, the state file,
 * deployment files) are resolved against that file's folder, so the stack behaves the same from
 * any working directory.
 */
export function loadStackConfig(file: string | readonly string[] = DEFAULT_CONFIG_FILE, env: NodeJS.ProcessEnv = process.env): StackConfig {
  const files = typeof file === 'string' ? [file] : [...file];
  if (files.length === 0) files.push(DEFAULT_CONFIG_FILE);
  let merged: Record<string, unknown> = {};
  files.forEach((path, i) => {
    const raw = readConfigFile(path);
    if (raw === null || raw === undefined) return;
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(path, [ROOT_NOT_A_MAPPING]);
    resolveRelativePaths(raw as Record<string, unknown>, dirname(path));
    merged = i === 0 ? (raw as Record<string, unknown>) : layerConfig(merged, raw as Record<string, unknown>);
  });
  // The environment can only move listeners, so every path is absolute by now.
  return parseStackConfig(merged, files.join(' + '), env);
}

function readConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as Error).message}`]);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(file, doc.errors.map((e) => `line ${(e.linePos?.[0]?.line ?? '?')}: ${e.message.split('\n')[0]}`));
  }
  return doc.toJS();
}

/** The path fields of a raw config made absolute against `dir` (anything else is left for the schema to name). */
function resolveRelativePaths(raw: Record<string, any>, dir: string): void {
  const absolute = (path: unknown) => (typeof path === 'string' && path !== '' && !isAbsolute(path) ? resolve(dir, path) : path);
  const { iam, gateway } = raw;
  if (isMapping(iam)) {
    if (Object.hasOwn(iam, 'stateFile')) iam.stateFile = absolute(iam.stateFile);
    if (isMapping(iam.signingKeys) && Object.hasOwn(iam.signingKeys, 'file')) iam.signingKeys.file = absolute(iam.signingKeys.file);
  }
  if (isMapping(gateway) && Array.isArray(gateway.deployments)) gateway.deployments = gateway.deployments.map(absolute);
}

function isMapping(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * `over` merged onto `base` (neither is changed): mappings key by key, recursively; lists and
 * values replaced as a whole; a key set to `null` (YAML `~` or nothing) is removed.
 */
export function layerConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === null || value === undefined) delete out[key];
    else if (isMapping(value) && isMapping(out[key])) out[key] = layerConfig(out[key] as Record<string, unknown>, value);
    else out[key] = value;
  }
  return out;
}

/** The issuer string a config names, presets resolved. */
export function resolveIssuer(issuer: string): string {
  return Object.hasOwn(ISSUER_PRESETS, issuer) ? ISSUER_PRESETS[issuer as keyof typeof ISSUER_PRESETS] : issuer;
}

/** Where a component reaches the others (`links`), defaults filled in, without a trailing slash. */
export interface Links {
  iamUrl: string;
  backendUrl: string;
}

/**
 * The config's `links`, each defaulting to this config's own listener: `iam.baseUrl` or
 * `http://HOST:IAM_PORT`, and `http://HOST:BACKEND_PORT` (a wildcard HOST is reached on loopback).
 */
export function resolveLinks(config: Pick<StackConfig, 'host' | 'links' | 'iam' | 'backend'>): Links {
  const host = reachableHost(config.host);
  return {
    iamUrl: trim(config.links.iamUrl ?? config.iam.baseUrl ?? `http://${host}:${config.iam.port}`),
    backendUrl: trim(config.links.backendUrl ?? `http://${host}:${config.backend.port}`),
  };
}

/**
 * Where the IAM's web console reaches the gateway's control plane when the gateway runs in another
 * process: `links.gatewayAdminUrl`, else `http://HOST:GATEWAY_ADMIN_PORT` of this config.
 */
export function resolveGatewayAdminUrl(config: Pick<StackConfig, 'host' | 'links' | 'gateway'>): string {
  return trim(config.links.gatewayAdminUrl ?? `http://${reachableHost(config.host)}:${config.gateway.adminPort}`);
}

/** A listen host as a URL host: a wildcard is reached on loopback, an IPv6 address in brackets. */
function reachableHost(host: string): string {
  return host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

const trim = (url: string) => url.replace(/\/+$/, '');

/** Each keyId once, and its fingerprint the key's own: OCI derives the fingerprint, it never differs. */
function checkOciApiKeys(keys: StackConfig['ociApiKeys']): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  keys.forEach((key, i) => {
    if (seen.has(key.keyId)) problems.push(`ociApiKeys[${i}].keyId: "${key.keyId}" is already the keyId of ociApiKeys[${seen.get(key.keyId)}]`);
    seen.set(key.keyId, i);
    const fingerprint = ociKeyFingerprint(ociPublicKey(key.publicKey));
    if (!key.keyId.endsWith(`/${fingerprint}`)) problems.push(`ociApiKeys[${i}].keyId: the fingerprint of publicKey is ${fingerprint}, not the one in the keyId`);
  });
  return problems;
}

/** The configured API keys by keyId, parsed, for `verifyOciSignature`. */
export function ociApiKeyMap(config: Pick<StackConfig, 'ociApiKeys'>): Map<string, OciApiKey> {
  return new Map(config.ociApiKeys.map((k) => [k.keyId, { keyId: k.keyId, publicKey: ociPublicKey(k.publicKey) }]));
}
