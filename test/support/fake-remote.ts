/**
 * A "fake remote" for the scenario runner's `oci` target: a second local stack standing in for an
 * identity domain and an API gateway, reached the way the cloud is, through a target file, an
 * OCI config profile with an API key (registered in the stack's `ociApiKeys`), and the
 * `oci-apigateway` SDK pointed at the stack's control plane.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseStackConfig, parseYaml } from '../../common/config.js';
import { readFileSync } from 'node:fs';
import { SCENARIO_STACK_CONFIG } from '../../scenarios/runner/targets/local.js';
import { startStack, type RunningStack } from '../../stack/stack.js';
import { makeApiKey } from './oci-api-key.js';

const TENANCY = 'ocid1.tenancy.oc1..aaaaaaaafakeremotetenancy';
const USER = 'ocid1.user.oc1..aaaaaaaafakeremoteuser';

export interface FakeRemote {
  stack: RunningStack;
  /** The target file describing it (`--target oci --target-file <it>`). */
  targetFile: string;
  dir: string;
  stop(): Promise<void>;
}

/** Starts the remote from config/scenario-stack.yaml, with `iam` fields overridden (to make it behave differently). */
export async function startFakeRemote(iamOverrides: Record<string, unknown> = {}): Promise<FakeRemote> {
  const dir = mkdtempSync(join(tmpdir(), 'fake-remote-'));
  const key = makeApiKey(TENANCY, USER);
  const parsed = parseYaml(readFileSync(SCENARIO_STACK_CONFIG, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const raw = parsed.value as Record<string, any>;
  raw.iam = { ...raw.iam, ...iamOverrides };
  raw.ociApiKeys = [{ keyId: key.keyId, publicKey: key.publicKeyPem }];
  const stack = await startStack(parseStackConfig(raw, 'fake remote'));
  const keyFile = join(dir, 'oci_api_key.pem');
  writeFileSync(keyFile, key.privateKeyPem, { mode: 0o600 });
  const ociConfig = join(dir, 'oci-config');
  writeFileSync(ociConfig, ['[DEFAULT]', `user=${USER}`, `fingerprint=${key.fingerprint}`, `tenancy=${TENANCY}`, 'region=eu-frankfurt-1', `key_file=${keyFile}`, ''].join('\n'));
  const targetFile = join(dir, 'target.yaml');
  writeFileSync(
    targetFile,
    stringify({
      identityDomain: { url: stack.iam.context.baseUrl, adminClientId: 'harness-admin', adminClientSecret: 'harness-admin-secret' },
      gateway: {
        url: stack.gateway.dataPlane.url,
        gatewayId: 'ocid1.apigateway.oc1.eu-frankfurt-1.aaaaaaaafakeremotegateway',
        compartmentId: 'ocid1.compartment.oc1..aaaaaaaafakeremotecompartment',
        controlPlaneUrl: stack.gateway.controlPlane.url,
      },
      ociConfig: { file: ociConfig, profile: 'DEFAULT' },
      poll: { intervalSeconds: 0.05, timeoutSeconds: 10 },
    }),
  );
  return {
    stack,
    targetFile,
    dir,
    stop: async () => {
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
