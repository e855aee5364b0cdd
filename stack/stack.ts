/**
 * The whole stack in one process: the mock IAM, the echo backend and the gateway emulator, each
 * started from its own section of the same config, sharing one clock.
 */
import { ControllableClock } from '../common/clock.js';
import { ociApiKeyMap, type StackConfig } from '../common/config.js';
import type { RunningServer } from '../common/http.js';
import { startEchoBackend } from '../gateway-emulator/backends/echo-server.js';
import { startGateway, type RunningGateway } from '../gateway-emulator/gateway.js';
import { blogUseCase1WithScope, blogUseCase2WithClaim } from '../gateway-emulator/spec/examples.js';
import { validateDeployment, type DeploymentInput } from '../gateway-emulator/spec/validate.js';
import { startIam, type RunningIam } from '../mock-iam/server.js';

export interface RunningStack {
  readonly config: StackConfig;
  readonly clock: ControllableClock;
  readonly iam: RunningIam;
  readonly backend: RunningServer;
  readonly gateway: RunningGateway;
  stop(): Promise<void>;
}

/**
 * The blog's deployments against this stack: `/test` (use case 1: audience `anwendung1`, route
 * `/1` authorized for scope `AnwendungReadA` with ANY_OF) and `/test2` (use case 2: the domain's
 * URLs as audiences, `verifyClaims` on the custom claim `APIGWMichael4`). Their JWKS is the IAM's;
 * they go through the same validation as a deployment pushed to the control plane.
 */
export function useCaseDeployments(iam: RunningIam, backendUrl: string): DeploymentInput[] {
  const jwks = `${iam.context.baseUrl}/admin/v1/SigningCert/jwk`;
  const { domainUrl, secureDomainUrl, tenant } = iam.context.identity;
  const audiences = [secureDomainUrl, domainUrl, `urn:opc:lbaas:logicalguid=${tenant}`];
  return [
    { ...blogUseCase1WithScope(jwks, `${backendUrl}/anwendung1/1`, iam.context.issuer), displayName: 'use case 1: technical user with scopes' },
    { ...blogUseCase2WithClaim(jwks, `${backendUrl}/anwendung2/1`, audiences, iam.context.issuer), displayName: 'use case 2: end user with a custom claim' },
  ].map((raw) => {
    const checked = validateDeployment(raw);
    if (!checked.ok) throw new Error(`use-case deployment ${raw.pathPrefix} is invalid: ${checked.problems.join('; ')}`);
    return checked.value;
  });
}

export async function startStack(config: StackConfig, clock = new ControllableClock(), logSink?: (line: string) => void): Promise<RunningStack> {
  const ociApiKeys = ociApiKeyMap(config);
  const iam = await startIam(config.iam, { host: config.host, clock, ociApiKeys });
  const started: Array<{ stop(): Promise<void> }> = [iam];
  try {
    const backend = await startEchoBackend({ port: config.backend.port, host: config.host });
    started.push(backend);
    const gateway = await startGateway(config.gateway, { host: config.host, clock, ociApiKeys, logSink, note: (line) => console.log(`gateway: ${line}`) });
    started.push(gateway);
    if (config.gateway.useCaseDeployments) {
      for (const deployment of useCaseDeployments(iam, backend.url)) gateway.store.create(deployment);
    }
    return {
      config,
      clock,
      iam,
      backend,
      gateway,
      stop: async () => {
        await Promise.all(started.reverse().map((s) => s.stop()));
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => s.stop()));
    throw err;
  }
}

/** What `npm start` prints: where things are, what is seeded, and a curl line per use case. */
export function describeStack(stack: RunningStack): string {
  const { iam, gateway } = stack;
  const base = iam.context.baseUrl;
  const clients = [...iam.context.store.apps.values()].filter((a) => a.isOAuthClient);
  const lines = [
    'oci-auth-harness is up',
    '',
    `  mock IAM (IDCS)        ${base}`,
    `    issuer               ${iam.context.issuer}`,
    `    token endpoint       ${base}/oauth2/v1/token`,
    `    JWKS                 ${base}/admin/v1/SigningCert/jwk${iam.context.settings.signingCertPublicAccess ? '' : '  (needs a bearer token)'}`,
    `    discovery            ${base}/.well-known/openid-configuration`,
    `  gateway data plane     ${gateway.dataPlane.url}`,
    `  gateway control plane  ${gateway.controlPlane.url}/20190501/deployments  (decisions: ${gateway.controlPlane.url}/_harness/decisions)`,
    `  echo backend           ${stack.backend.url}`,
    '',
    '  deployments',
    ...gateway.store.active().map((d) => `    ${d.pathPrefix}  ${d.displayName}  (${d.specification.routes?.length ?? 0} routes)`),
    '',
    '  seeded clients (client_id / secret: grants)',
    ...clients.map((c) => `    ${c.name} / ${c.clientSecret ?? '(certificate)'}: ${c.allowedGrants.join(', ')}`),
    '  seeded users',
    // Passwords are kept hashed; the seeded ones are in the config.
    ...stack.config.iam.users.map((u) => `    ${u.userName} / ${u.password ?? '(no password)'}`),
    '',
  ];
  const cc = clients.find((c) => c.name === 'usecase1_client');
  const pw = clients.find((c) => c.name === 'usecase2_client');
  const user = stack.config.iam.users[0];
  const tokenOf = (curl: string) => `TOKEN=$(${curl} | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`;
  if (cc) {
    lines.push(
      '  use case 1 (technical user, scope):',
      `    ${tokenOf(`curl -s -u '${cc.name}:${cc.clientSecret}' -d grant_type=client_credentials -d scope=anwendung1AnwendungReadA ${base}/oauth2/v1/token`)}`,
      `    curl -i -H "Authorization: Bearer $TOKEN" ${gateway.dataPlane.url}/test/1`,
    );
  }
  if (pw && user) {
    lines.push(
      '  use case 2 (end user, custom claim):',
      `    ${tokenOf(`curl -s -u '${pw.name}:${pw.clientSecret}' -d grant_type=password -d 'username=${user.userName}' -d 'password=${user.password}' -d scope=urn:opc:idm:__myscopes__ ${base}/oauth2/v1/token`)}`,
      `    curl -i -H "Authorization: Bearer $TOKEN" ${gateway.dataPlane.url}/test2/1`,
    );
  }
  lines.push('', 'Ctrl-C stops the stack.');
  return lines.join('\n');
}
