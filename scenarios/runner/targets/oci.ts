/**
 * The `oci` target: a real identity domain and API gateway (a contract test), or anything that
 * speaks their APIs (the tests use a second local stack as a "fake remote").
 *
 * What it needs comes from a target file (YAML) or, field by field where the file is silent, from
 * environment variables:
 *
 * | field                         | environment variable              |
 * |-------------------------------|-----------------------------------|
 * | identityDomain.url            | OCI_HARNESS_IDENTITY_DOMAIN_URL   |
 * | identityDomain.adminClientId  | OCI_HARNESS_ADMIN_CLIENT_ID       |
 * | identityDomain.adminClientSecret | OCI_HARNESS_ADMIN_CLIENT_SECRET |
 * | gateway.url (data plane)      | OCI_HARNESS_GATEWAY_URL           |
 * | gateway.gatewayId             | OCI_HARNESS_GATEWAY_ID            |
 * | gateway.compartmentId         | OCI_HARNESS_COMPARTMENT_ID        |
 * | gateway.controlPlaneUrl       | OCI_HARNESS_CONTROL_PLANE_URL (optional; default: the region's) |
 * | ociConfig.file                | OCI_CLI_CONFIG_FILE (default ~/.oci/config) |
 * | ociConfig.profile             | OCI_CLI_PROFILE (default DEFAULT) |
 *
 * Deployments are pushed with the `oci-apigateway` SDK, signed with the API key of the OCI config
 * profile, and polled until ACTIVE. The admin client secret is never printed.
 */
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { DeploymentClient, type models } from 'oci-apigateway';
import * as common from 'oci-common';
import { z } from 'zod';
import { fieldPath, parseYaml } from '../../../common/config.js';
import { readFileSync } from 'node:fs';
import { TargetError, type DeploymentApi, type DeploymentOutcome, type DeploymentView, type Target } from './target.js';

const url = z.url({ protocol: /^https?$/, error: (issue) => (issue.input === undefined ? 'missing' : 'must be an http(s) URL') }).transform((u) => u.replace(/\/+$/, ''));
const text = () => z.string({ error: (issue) => (issue.input === undefined ? 'missing' : 'must be a string') }).min(1, 'must not be empty');

const targetFileSchema = z.strictObject({
  identityDomain: z.strictObject({ url, adminClientId: text(), adminClientSecret: text() }),
  gateway: z.strictObject({
    url,
    gatewayId: text(),
    compartmentId: text(),
    controlPlaneUrl: url.optional(),
  }),
  ociConfig: z.strictObject({ file: text(), profile: text() }),
  /** How often and how long to wait for a deployment to become ACTIVE. */
  poll: z.strictObject({ intervalSeconds: z.number().positive().default(5), timeoutSeconds: z.number().positive().default(900) }).default({ intervalSeconds: 5, timeoutSeconds: 900 }),
});
export type OciTargetSettings = z.infer<typeof targetFileSchema>;

const ENV: Array<[path: string[], name: string]> = [
  [['identityDomain', 'url'], 'OCI_HARNESS_IDENTITY_DOMAIN_URL'],
  [['identityDomain', 'adminClientId'], 'OCI_HARNESS_ADMIN_CLIENT_ID'],
  [['identityDomain', 'adminClientSecret'], 'OCI_HARNESS_ADMIN_CLIENT_SECRET'],
  [['gateway', 'url'], 'OCI_HARNESS_GATEWAY_URL'],
  [['gateway', 'gatewayId'], 'OCI_HARNESS_GATEWAY_ID'],
  [['gateway', 'compartmentId'], 'OCI_HARNESS_COMPARTMENT_ID'],
  [['gateway', 'controlPlaneUrl'], 'OCI_HARNESS_CONTROL_PLANE_URL'],
  [['ociConfig', 'file'], 'OCI_CLI_CONFIG_FILE'],
  [['ociConfig', 'profile'], 'OCI_CLI_PROFILE'],
];

/** The target settings from a target file (optional) and the environment; errors name the field and its variable. */
export function ociTargetSettings(file: string | undefined, env: NodeJS.ProcessEnv = process.env): OciTargetSettings {
  let raw: Record<string, any> = {};
  const source = file ?? 'the environment';
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new TargetError(`Cannot read the target file ${file}: ${(err as Error).message}`);
    }
    const parsed = parseYaml(text);
    if (!parsed.ok) throw new TargetError(`Invalid target file ${file}:\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}`);
    raw = (parsed.value ?? {}) as Record<string, any>;
  }
  // Every section present, so each missing field is named rather than its whole section.
  for (const section of ['identityDomain', 'gateway', 'ociConfig']) raw[section] ??= {};
  for (const [[section, field], name] of ENV) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    raw[section!] ??= {};
    if (typeof raw[section!] === 'object') raw[section!][field!] ??= value;
  }
  raw.ociConfig ??= {};
  if (typeof raw.ociConfig === 'object') {
    raw.ociConfig.file ??= resolve(homedir(), '.oci', 'config');
    raw.ociConfig.profile ??= 'DEFAULT';
  }
  const result = targetFileSchema.safeParse(raw);
  if (!result.success) {
    const envName = (path: PropertyKey[]) => ENV.find(([p]) => p.join('.') === path.join('.'))?.[1];
    const problems = result.error.issues.map((issue) => {
      const name = envName(issue.path);
      return `${fieldPath(issue.path)}${name ? ` (or ${name})` : ''}: ${issue.message}`;
    });
    throw new TargetError(`The oci target is not fully described (${source}):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  if (result.data.ociConfig.file.startsWith('~/')) result.data.ociConfig.file = resolve(homedir(), result.data.ociConfig.file.slice(2));
  return result.data;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Deployments through the real control plane with the SDK, waiting for each change to be in force. */
export function sdkDeployments(settings: OciTargetSettings): DeploymentApi {
  let provider: common.ConfigFileAuthenticationDetailsProvider;
  try {
    provider = new common.ConfigFileAuthenticationDetailsProvider(settings.ociConfig.file, settings.ociConfig.profile);
  } catch (err) {
    throw new TargetError(`Cannot use the OCI config profile ${settings.ociConfig.profile} of ${settings.ociConfig.file}: ${(err as Error).message}`);
  }
  const client = new DeploymentClient({ authenticationDetailsProvider: provider }, { retryConfiguration: { terminationStrategy: new common.MaxAttemptsTerminationStrategy(1) } });
  if (settings.gateway.controlPlaneUrl) client.endpoint = settings.gateway.controlPlaneUrl;

  const view = (d: models.Deployment): DeploymentView => ({ id: d.id, lifecycleState: String(d.lifecycleState), pathPrefix: d.pathPrefix, specification: JSON.parse(JSON.stringify(d.specification)) });
  const refused = (err: unknown): DeploymentOutcome => {
    const e = err as Partial<common.OciError> & Error;
    if (typeof e.statusCode !== 'number') throw err;
    return { ok: false, status: e.statusCode, body: { code: e.serviceCode ?? 'Unknown', message: e.message ?? '' } };
  };
  /** Polls until the deployment has left CREATING/UPDATING. */
  const settled = async (id: string, since?: Date): Promise<DeploymentOutcome> => {
    const deadline = Date.now() + settings.poll.timeoutSeconds * 1000;
    for (;;) {
      const { deployment } = await client.getDeployment({ deploymentId: id });
      const state = String(deployment.lifecycleState);
      const updated = deployment.timeUpdated ? new Date(deployment.timeUpdated) : undefined;
      const fresh = !since || !updated || updated >= since;
      if (state === 'ACTIVE' && fresh) return { ok: true, view: view(deployment) };
      if (state === 'FAILED' || state === 'DELETED') {
        return { ok: false, status: 400, body: { code: `Deployment${state}`, message: deployment.lifecycleDetails ?? `the deployment is ${state}` } };
      }
      if (Date.now() > deadline) throw new Error(`deployment ${id} was still ${state} after ${settings.poll.timeoutSeconds} s`);
      await sleep(settings.poll.intervalSeconds * 1000);
    }
  };
  return {
    create: async (request) => {
      try {
        const { deployment } = await client.createDeployment({
          createDeploymentDetails: { ...request, gatewayId: settings.gateway.gatewayId, compartmentId: settings.gateway.compartmentId, specification: request.specification as unknown as models.ApiSpecification },
        });
        return await settled(deployment.id);
      } catch (err) {
        return refused(err);
      }
    },
    update: async (id, request) => {
      const since = new Date(Date.now() - 5_000);
      try {
        await client.updateDeployment({ deploymentId: id, updateDeploymentDetails: { ...request, specification: request.specification as unknown as models.ApiSpecification } });
        return await settled(id, since);
      } catch (err) {
        return refused(err);
      }
    },
    delete: async (id) => {
      await client.deleteDeployment({ deploymentId: id });
    },
  };
}

export function ociTarget(settings: OciTargetSettings): Target {
  return {
    kind: 'oci',
    description: `oci: ${new URL(settings.identityDomain.url).host} and ${new URL(settings.gateway.url).host}`,
    iamUrl: settings.identityDomain.url,
    gatewayUrl: settings.gateway.url,
    adminClient: { id: settings.identityDomain.adminClientId, secret: settings.identityDomain.adminClientSecret },
    deployments: sdkDeployments(settings),
    close: async () => undefined,
  };
}
