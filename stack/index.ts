/**
 * The stack as a library, for test suites (vitest, jest, node:test) that want it in their own
 * process: start it, read its URLs, move its clock, read the gateway's decisions, stop it.
 *
 * ```ts
 * import { startHarness } from '<path to oci-auth-harness>/stack/index.js';
 * const harness = await startHarness();            // the default config, every listener on a free port
 * const token = await fetch(harness.urls.token, { method: 'POST', ... });
 * await fetch(`${harness.urls.gateway}/test/1`, { headers: { authorization: `Bearer ${...}` } });
 * await harness.stop();
 * ```
 */
import type { ControllableClock } from '../common/clock.js';
import { DEFAULT_CONFIG_FILE, loadStackConfig, type StackConfig } from '../common/config.js';
import type { DecisionLogEntry } from '../gateway-emulator/decision-log.js';
import { startStack, type RunningStack } from './stack.js';

export interface HarnessOptions {
  /** A stack config file, several to layer in order, or a config object; default config/default-stack.yaml. */
  config?: string | readonly string[] | StackConfig;
  /**
   * `ephemeral` (default): every listener on a free port, signing keys in memory only, and no
   * deployment files (theirs name fixed ports; the blog's /test and /test2 are still deployed
   * when the config says `useCaseDeployments`). `contract`: the config as it is (CONTRACT.md's
   * ports), as `npm start` runs it.
   */
  ports?: 'ephemeral' | 'contract';
  /** Where the gateway's decision log lines go (one JSON line per request); none by default. */
  logSink?: (line: string) => void;
}

export interface HarnessUrls {
  /** The mock IAM's base URL (the identity domain URL). */
  iam: string;
  /** `${iam}/oauth2/v1/token` */
  token: string;
  /** `${iam}/admin/v1/SigningCert/jwk`: what a deployment's REMOTE_JWKS names. */
  jwks: string;
  /** The gateway's data plane. */
  gateway: string;
  /** The gateway's control plane (`/20190501/deployments`, `/_harness/decisions`). */
  controlPlane: string;
  /** The echo backend. */
  backend: string;
}

export interface Harness {
  urls: HarnessUrls;
  /** The clock every component reads: `clock.advance(3601_000)` expires a one-hour token. */
  clock: ControllableClock;
  /** The gateway's most recent decisions, newest first, with the reason of each refusal. */
  decisions(limit?: number): DecisionLogEntry[];
  /** The running components, for what the above does not cover. */
  stack: RunningStack;
  stop(): Promise<void>;
}

/**
 * The config made fit for a test run beside others (changed in place, and returned): every
 * listener on a free port, no deployment files (they name fixed ports), keys and state in memory.
 */
export function ephemeral(config: StackConfig): StackConfig {
  config.iam.port = 0;
  config.gateway.port = 0;
  config.gateway.adminPort = 0;
  config.backend.port = 0;
  config.gateway.deployments = [];
  config.iam.signingKeys.file = undefined;
  config.iam.stateFile = undefined;
  return config;
}

function harnessConfig(options: HarnessOptions): StackConfig {
  const given = options.config ?? DEFAULT_CONFIG_FILE;
  // An empty environment: the caller's IAM_PORT and friends are for `npm start`, not for a library.
  const config = typeof given === 'string' || Array.isArray(given) ? loadStackConfig(given as string | string[], {}) : structuredClone(given as StackConfig);
  return (options.ports ?? 'ephemeral') === 'ephemeral' ? ephemeral(config) : config;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const stack = await startStack(harnessConfig(options), undefined, options.logSink);
  const iam = stack.iam.context.baseUrl;
  return {
    urls: {
      iam,
      token: `${iam}/oauth2/v1/token`,
      jwks: `${iam}/admin/v1/SigningCert/jwk`,
      gateway: stack.gateway.dataPlane.url,
      controlPlane: stack.gateway.controlPlane.url,
      backend: stack.backend.url,
    },
    clock: stack.clock,
    decisions: (limit) => stack.gateway.log.recent(limit),
    stack,
    stop: () => stack.stop(),
  };
}

export { startStack, type RunningStack } from './stack.js';
