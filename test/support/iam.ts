/**
 * Starts a mock IAM on an ephemeral port for a test, seeded from the default stack config (the
 * blog's objects) with in-memory keys, unless the test overrides parts of the `iam` section.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ControllableClock } from '../../common/clock.js';
import { DEFAULT_CONFIG_FILE, parseStackConfig, type StackConfig } from '../../common/config.js';
import { startIam, type RunningIam } from '../../mock-iam/server.js';

export type IamOverrides = Record<string, unknown>;

/** The default stack config as a plain object, for tests to change before validation. */
export function defaultConfigObject(): Record<string, any> {
  const raw = parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8')) as Record<string, any>;
  raw.iam.port = 0;
  delete raw.iam.signingKeys.file;
  return raw;
}

export function testConfig(iamOverrides: IamOverrides = {}): StackConfig {
  const raw = defaultConfigObject();
  raw.iam = { ...raw.iam, ...iamOverrides };
  return parseStackConfig(raw, 'test');
}

export interface TestIam extends RunningIam {
  clock: ControllableClock;
}

export async function startTestIam(iamOverrides: IamOverrides = {}, clock = new ControllableClock()): Promise<TestIam> {
  const config = testConfig(iamOverrides);
  const iam = await startIam(config.iam, { host: '127.0.0.1', clock });
  return Object.assign(iam, { clock });
}

/** The seeded credentials of the default config (test fixtures, printed at start-up too). */
export const SEEDED = {
  admin: { id: 'harness-admin', secret: 'harness-admin-secret' },
  useCase1: { id: 'usecase1_client', secret: 'usecase1-client-secret', scope: 'anwendung1AnwendungReadA' },
  useCase2: { id: 'usecase2_client', secret: 'usecase2-client-secret' },
  user: { userName: 'usecase2.user', password: 'Usecase2-Passw0rd' },
} as const;

/** HTTP Basic as IDCS wants it: each part URL-encoded, then base64. */
export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON when it is JSON, else the text. */
  body: any;
}

export async function readResult(res: Response): Promise<HttpResult> {
  const text = await res.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text for the assertion message */
  }
  return { status: res.status, headers: res.headers, text, body };
}

/** Any request against a server, its body parsed as JSON when it is JSON. */
export async function http(url: string, init: RequestInit = {}): Promise<HttpResult> {
  return readResult(await fetch(url, init));
}

export function tokenRequest(iam: { url: string }, form: Record<string, string>, headers: Record<string, string> = {}): Promise<HttpResult> {
  return http(`${iam.url}/oauth2/v1/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', ...headers },
    body: new URLSearchParams(form).toString(),
  });
}

export function decodeJwtParts(jwt: string): { header: any; claims: any } {
  const [h, p] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), claims: JSON.parse(Buffer.from(p!, 'base64url').toString()) };
}
