/**
 * `oci-auth-harness` as a user runs it, without a stack: child processes (`node --import tsx
 * cli/main.ts ...`, the bin, npx, npm run cli), help for every command, usage and input errors
 * and their exit codes. Nothing here runs on a terminal, so no output may carry an ANSI escape.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, noAnsi, run } from './support.js';


const COMMANDS = ['start', 'token', 'decode', 'explain', 'scenario'];
const dir = mkdtempSync(join(tmpdir(), 'cli-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('help, usage errors and exit codes', () => {
  it('--help lists every command; each command has its own help; exit 0', async () => {
    const [main, ...each] = await Promise.all([cli(['--help']), ...COMMANDS.map((c) => cli([c, '--help']))]);
    expect(noAnsi(main!).code).toBe(0);
    for (const c of COMMANDS) expect(main!.stdout).toMatch(new RegExp(`^  ${c} +\\S`, 'm'));
    each.forEach((r, i) => {
      const name = COMMANDS[i]!;
      expect(noAnsi(r).code, `${name} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout, name).toMatch(new RegExp(`^(Usage: )?oci-auth-harness ${name}\\b`, 'm'));
      expect(r.stdout.split('\n').length, `${name} says more than a line`).toBeGreaterThan(8);
    });
    // The options of each command are in its help.
    expect(each[1]!.stdout).toContain('--client-secret');
    expect(each[2]!.stdout).toContain('--jwks URL|FILE');
    expect(each[3]!.stdout).toContain('--deployment FILE|ID|/PREFIX');
    expect(each[3]!.stdout).toContain('Exit status: 0 accepted');
    // scenario is the runner's own command line, named for this command.
    expect(each[4]!.stdout).toContain('--reporter pretty|junit|json');
    expect(each[4]!.stdout).toContain('Usage: oci-auth-harness scenario <name|file|all> [options]');
    expect(each[0]!.stdout).toContain('--component');
  });

  it('`help <command>` is `<command> --help`; no command, an unknown command or option: usage on standard error, exit 2', async () => {
    const [help, none, unknown, badOption, missingPath] = await Promise.all([
      cli(['help', 'decode']),
      cli([]),
      cli(['toke']),
      cli(['explain', '--bogus']),
      cli(['explain', '--deployment', 'config/deployments/use-case-1-global-verify-claims.json']),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: oci-auth-harness decode');
    expect(noAnsi(none).code).toBe(2);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('Usage: oci-auth-harness <command>');
    expect(noAnsi(unknown).code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "toke" (did you mean token?)');
    expect(noAnsi(badOption).code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--bogus'");
    expect(badOption.stderr).toContain('See oci-auth-harness explain --help');
    expect(noAnsi(missingPath).code).toBe(2);
    expect(missingPath.stderr).toContain('give the request path: --path /test/1');
  });

  it('the bin, npx and npm run cli all run it', async () => {
    const [bin, npx, npm] = await Promise.all([run(process.execPath, ['bin/oci-auth-harness.mjs', '--help']), run('npx', ['--no-install', 'oci-auth-harness', '--help']), run('npm', ['run', '--silent', 'cli', '--', '--help'])]);
    for (const [name, r] of [['bin', bin], ['npx', npx], ['npm run cli', npm]] as const) {
      expect(r.code, `${name}: ${r.stderr}`).toBe(0);
      expect(noAnsi(r).stdout, name).toContain('Usage: oci-auth-harness <command> [options]');
    }
  });

  it.skipIf(spawnSync('script', ['--version']).status !== 0)('on a terminal (script(1) gives it one) the verdict is in colour', async () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwks = join(dir, 'jwks.json');
    writeFileSync(jwks, JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'SIGNING_KEY' }] }));
    const command = `${process.execPath} --import tsx cli/main.ts explain --deployment config/deployments/use-case-1-global-verify-claims.json --path /test-global/1 --jwks ${jwks}`;
    const onTty = await run('script', ['-qec', command, '/dev/null']);
    expect(onTty.stdout).toContain('\x1b[31m\x1b[1mREFUSED 401 Unauthorized\x1b[22m\x1b[39m by authentication.token');
    const piped = await cli(command.split(' ').slice(4));
    expect(noAnsi(piped).stdout).toMatch(/^REFUSED 401 Unauthorized by authentication\.token/);
  });

  it('decode: not a JWT is exit 2 with what is wrong; an invalid deployment file is exit 2 with its problems', async () => {
    const bad = join(dir, 'bad-deployment.json');
    writeFileSync(bad, JSON.stringify({ pathPrefix: 'test', specification: { routes: [{ path: '/1', backend: { type: 'HTTP_BACKEND' } }] } }));
    const [notJwt, jwe, invalid] = await Promise.all([
      cli(['decode', 'not-a-token']),
      cli(['decode', 'a.b.c.d.e']),
      cli(['explain', '--deployment', bad, '--path', '/test/1', '--token', 'x.y.z']),
    ]);
    expect(noAnsi(notJwt).code).toBe(2);
    expect(notJwt.stderr).toContain('not a JWT: a signed JWT is three base64url parts joined by dots');
    expect(jwe.code).toBe(2);
    expect(jwe.stderr).toContain('encrypted token (JWE)');
    expect(noAnsi(invalid).code).toBe(2);
    expect(invalid.stdout).toBe('');
    expect(invalid.stderr).toContain('is not a valid deployment (the control plane would answer 400 InvalidParameter)');
    expect(invalid.stderr).toMatch(/^  pathPrefix: /m);
    expect(invalid.stderr).toMatch(/^  specification\.routes\[0\]\.backend\.url: /m);
  });
});

