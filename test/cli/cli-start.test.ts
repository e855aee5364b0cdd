/**
 * `oci-auth-harness start` is `npm start` (one function, bin/start.ts's runStart): the same
 * start-up text, the stack usable at once (a token through the CLI), Ctrl-C stops it with exit 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, ROOT } from '../support/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'cli-start-'));
let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('oci-auth-harness start', () => {
  it('starts the stack with npm start\'s options and output; token works against it; SIGINT stops it with exit 0', async () => {
    // The default config, with the signing keys in a temp file instead of the checkout's .harness/.
    const layer = join(dir, 'keys.yaml');
    writeFileSync(layer, `iam:\n  signingKeys:\n    file: ${join(dir, 'signing-keys.json')}\n`);
    const [iam, gateway, admin, backend] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const env: NodeJS.ProcessEnv = { ...process.env, IAM_PORT: String(iam), GATEWAY_PORT: String(gateway), GATEWAY_ADMIN_PORT: String(admin), BACKEND_PORT: String(backend) };
    delete env.NO_COLOR;
    child = spawn(process.execPath, ['bin/oci-auth-harness.mjs', 'start', '--config', 'config/default-stack.yaml', '--config', layer], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
    const deadline = Date.now() + 15_000;
    while (!/ready in \d+ ms/.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(output).toContain('oci-auth-harness is up');
    expect(output).toContain(`mock IAM (IDCS)        http://127.0.0.1:${iam}`);
    expect(output).toContain(`gateway control plane  http://127.0.0.1:${admin}/20190501/deployments`);
    expect(output).toContain('usecase1_client / usecase1-client-secret: client_credentials');
    expect(output).not.toMatch(/\x1b\[/);

    const token = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const t = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'token', '--client', 'usecase1_client', '--scope', 'anwendung1AnwendungReadA', '--iam', `http://127.0.0.1:${iam}`], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      let stdout = '';
      t.stdout!.on('data', (c) => (stdout += c));
      t.on('close', (code) => resolve({ code, stdout }));
    });
    expect(token.code).toBe(0);
    expect(token.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);

    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('SIGINT: stopping...');
  });

  it('a usage error is npm start\'s, named for this command: exit 2', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'start', '--component', 'proxy'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      p.stderr!.on('data', (c) => (stderr += c));
      p.on('close', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--component: "proxy" is not iam, gateway, backend, all');
    expect(result.stderr).toContain('Usage: oci-auth-harness start [--config FILE]... [--component iam|gateway|backend|all]');
  });
});
