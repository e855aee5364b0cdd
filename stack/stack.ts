/**
 * The whole stack in one process. Today: the mock IAM. The gateway emulator and the echo backend
 * join here as further components, each started from its own section of the same config.
 */
import { ControllableClock } from '../common/clock.js';
import { ociApiKeyMap, type StackConfig } from '../common/config.js';
import { startIam, type RunningIam } from '../mock-iam/server.js';

export interface RunningStack {
  readonly config: StackConfig;
  readonly clock: ControllableClock;
  readonly iam: RunningIam;
  stop(): Promise<void>;
}

export async function startStack(config: StackConfig, clock = new ControllableClock()): Promise<RunningStack> {
  const iam = await startIam(config.iam, { host: config.host, clock, ociApiKeys: ociApiKeyMap(config) });
  return {
    config,
    clock,
    iam,
    stop: async () => {
      await iam.stop();
    },
  };
}

/** What `npm start` prints: where things are, what is seeded, and a curl line per use case. */
export function describeStack(stack: RunningStack): string {
  const { iam } = stack;
  const base = iam.context.baseUrl;
  const clients = [...iam.context.store.apps.values()].filter((a) => a.isOAuthClient);
  const lines = [
    'oci-auth-harness is up',
    '',
    `  mock IAM (IDCS)   ${base}`,
    `    issuer          ${iam.context.issuer}`,
    `    token endpoint  ${base}/oauth2/v1/token`,
    `    JWKS            ${base}/admin/v1/SigningCert/jwk${iam.context.settings.signingCertPublicAccess ? '' : '  (needs a bearer token)'}`,
    `    discovery       ${base}/.well-known/openid-configuration`,
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
  if (cc) {
    lines.push(
      '  use case 1 (technical user, scope):',
      `    curl -s -u '${cc.name}:${cc.clientSecret}' -d grant_type=client_credentials -d scope=anwendung1AnwendungReadA ${base}/oauth2/v1/token`,
    );
  }
  if (pw && user) {
    lines.push(
      '  use case 2 (end user, custom claim):',
      `    curl -s -u '${pw.name}:${pw.clientSecret}' -d grant_type=password -d 'username=${user.userName}' -d 'password=${user.password}' -d scope=urn:opc:idm:__myscopes__ ${base}/oauth2/v1/token`,
    );
  }
  lines.push('', 'Ctrl-C stops the stack.');
  return lines.join('\n');
}
