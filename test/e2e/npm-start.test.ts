/**
 * `npm start` as a user runs it: the whole stack in one process, the start-up text (URLs, seeded
 * clients and users, a curl pair per use case), and those curl lines pasted into a shell work.
 * Ctrl-C (SIGINT) stops it cleanly.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startChild, waitHealthy, type Child } from '../support/processes.js';

describe('npm start', () => {
  let child: Child;
  let dir: string;
  const ports = { iam: 0, gateway: 0, admin: 0, backend: 0 };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'npm-start-'));
    // The default config, with the signing keys in a temp file instead of the checkout's .harness/.
    const layer = join(dir, 'keys.yaml');
    writeFileSync(layer, `iam:\n  signingKeys:\n    file: ${join(dir, 'signing-keys.json')}\n`);
    for (const name of Object.keys(ports) as Array<keyof typeof ports>) ports[name] = await freePort();
    child = startChild(['--config', 'config/default-stack.yaml', '--config', layer], {
      IAM_PORT: String(ports.iam),
      GATEWAY_PORT: String(ports.gateway),
      GATEWAY_ADMIN_PORT: String(ports.admin),
      BACKEND_PORT: String(ports.backend),
    });
    await waitHealthy(`http://127.0.0.1:${ports.admin}/_harness/health`, child, Date.now() + 20_000);
    for (let i = 0; i < 100 && !/ready in \d+ ms/.test(child.output()); i++) await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(() => {
    child?.process.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints where everything is and what is seeded', () => {
    const text = child.output();
    expect(text).toContain('oci-auth-harness is up');
    expect(text).toContain(`mock IAM (IDCS)        http://127.0.0.1:${ports.iam}`);
    expect(text).toContain(`gateway data plane     http://127.0.0.1:${ports.gateway}`);
    expect(text).toContain(`gateway control plane  http://127.0.0.1:${ports.admin}/20190501/deployments`);
    expect(text).toContain(`echo backend           http://127.0.0.1:${ports.backend}`);
    expect(text).toMatch(/\/test {2}use case 1: technical user with scopes/);
    expect(text).toContain('usecase1_client / usecase1-client-secret: client_credentials');
    expect(text).toContain('usecase2.user / Usecase2-Passw0rd');
  });

  it.each([
    ['use case 1', '/test/1'],
    ['use case 2', '/test2/1'],
  ])('the printed curl lines of %s work when pasted into a shell', (useCase, path) => {
    const lines = child.output().split('\n');
    const at = lines.findIndex((l) => l.startsWith(`  ${useCase} (`));
    expect(at).toBeGreaterThan(0);
    const [tokenLine, callLine] = [lines[at + 1]!.trim(), lines[at + 2]!.trim()];
    expect(tokenLine).toMatch(/^TOKEN=\$\(curl -s -u '[^']+' .* \| node -pe /);
    expect(callLine).toBe(`curl -i -H "Authorization: Bearer $TOKEN" http://127.0.0.1:${ports.gateway}${path}`);
    const out = execFileSync('bash', ['-c', `${tokenLine}\n${callLine}`], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'ignore'] });
    expect(out).toMatch(/^HTTP\/1\.1 200 OK\r?$/m);
    expect(out).toMatch(/^opc-request-id: /im);
  });

  it('Ctrl-C (SIGINT) stops it: exit 0', async () => {
    child.process.kill('SIGINT');
    expect(await child.exited).toBe(0);
    expect(child.output()).toContain('SIGINT: stopping...');
  });
});
