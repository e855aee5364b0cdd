/**
 * The whole stack (IAM, echo backend, gateway) on ephemeral ports for a test, seeded from the
 * default config with in-memory keys, unless the test overrides parts of the config.
 */
import { ControllableClock } from '../../common/clock.js';
import { parseStackConfig } from '../../common/config.js';
import { startStack, type RunningStack } from '../../stack/stack.js';
import { defaultConfigObject } from './iam.js';

export async function startTestStack(overrides: { iam?: Record<string, unknown>; gateway?: Record<string, unknown> } = {}, clock = new ControllableClock()): Promise<RunningStack> {
  const raw = defaultConfigObject();
  raw.iam = { ...raw.iam, ...overrides.iam };
  // The default config's deployment files point at the default ports; tests deploy their own.
  raw.gateway = { ...raw.gateway, port: 0, adminPort: 0, deployments: [], ...overrides.gateway };
  raw.backend = { port: 0 };
  return startStack(parseStackConfig(raw, 'test'), clock);
}
