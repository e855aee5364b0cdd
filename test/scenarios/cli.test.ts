/**
 * The runner as users run it: every shipped scenario against the local stack, the command's
 * reports, exit codes and errors, and secrets kept out of everything it prints.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../../scenarios/runner/cli.js';

const run = promisify(execFile);

function io(env: NodeJS.ProcessEnv = {}): CliIo & { text(): string } {
  const lines: string[] = [];
  return { out: (t) => lines.push(t), err: (t) => lines.push(t), env, color: false, text: () => lines.join('\n') };
}

const dir = mkdtempSync(join(tmpdir(), 'scenario-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run scenario', () => {
  it('runs every shipped scenario against the local stack, and all pass', async () => {
    const out = io();
    const code = await runCli(['all'], out);
    expect(code, out.text()).toBe(0);
    expect(out.text()).toMatch(/^6 scenarios: 6 passed · \d+ steps: \d+ passed$/m);
    // A progress line per step, as it finishes.
    expect(out.text()).toContain('  ✓ call-trapped  The two-scope token is refused');
    expect(out.text()).not.toContain('skipped');
  });

  it('as a command: progress on standard output, JUnit XML into a file, exit 0', async () => {
    const report = join(dir, 'junit.xml');
    const { stdout } = await run('npx', ['tsx', 'bin/scenario.ts', 'use-case-1-technical-user', '--reporter', 'junit', '--output', report], { timeout: 60_000 });
    expect(stdout).toContain('▶ use-case-1-technical-user');
    expect(stdout).toContain('1 scenario: 1 passed · 12 steps: 12 passed');
    expect(stdout).not.toMatch(/\x1b\[/); // no colour without a terminal
    const xml = readFileSync(report, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="oci-auth-harness scenarios" tests="12" failures="0" errors="0" skipped="0"/);
    expect(xml.match(/<testcase /g)).toHaveLength(12);
    expect(xml).toContain('name="token: Step 4: a token with the client; check scope, issuer and audience"');
  });

  it('a failing step says what was expected, what came, and the gateway\'s reason; later steps are skipped; exit 1', async () => {
    const file = join(dir, 'wrong-expectation.yaml');
    const original = readFileSync(new URL('../../scenarios/negative-exact-match-trap.yaml', import.meta.url), 'utf8');
    // Someone believes the global claim check matches one scope of many.
    writeFileSync(file, original.replace('fragments/technical-user.yaml', new URL('../../scenarios/fragments/technical-user.yaml', import.meta.url).pathname).replace(/(id: call-trapped[\s\S]*?expect:\n\s+status: )401/, '$1200'));
    const out = io();
    expect(await runCli([file], out)).toBe(1);
    const text = out.text();
    expect(text).toContain('✗ call-trapped');
    expect(text).toContain('status: expected 200, got 401');
    expect(text).toContain(`gateway said: authentication.verifyClaims: JWT token does not have the expected claim value for 'scope'. (expected ["AnwendungReadA"], found "AnwendungReadA AnwendungWriteA")`);
    expect(text).toMatch(/- call-whole-string .* skipped: an earlier step failed \(call-trapped\)/);
    expect(text).toMatch(/1 scenario: 0 passed, 1 failed/);
  });

  it('never prints a secret: client secrets, passwords and tokens are masked, even with --verbose and in reports', async () => {
    const out = io();
    const json = join(dir, 'report.json');
    expect(await runCli(['use-case-2-end-user', '--verbose', '--reporter', 'json', '--output', json], out)).toBe(0);
    const everything = `${out.text()}\n${readFileSync(json, 'utf8')}`;
    expect(everything).toContain('"clientSecret": "***"');
    expect(everything).toMatch(/"access_token": "eyJ…\(\d+ chars\)"/);
    expect(everything).not.toMatch(/eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]{10,}/);
    expect(everything).not.toContain('harness-admin-secret');
    expect(everything).not.toMatch(/Usecase2-Passw0rd-[a-z0-9]{6}/);
  });

  it('--list shows each scenario\'s steps and markers without running anything', async () => {
    const out = io();
    expect(await runCli(['negative-expired-token', '--list'], out)).toBe(0);
    expect(out.text()).toContain('  local-only    one-hour-later  One hour and one second later');
    expect(out.text()).toContain('  unverified    call-valid  While the token is valid');
  });

  it.each([
    [['nope'], 'no such scenario; the shipped ones: negative-exact-match-trap'],
    [['all', '--target', 'cloud'], '--target must be local or oci (got cloud)'],
    [['all', '--reporter', 'tap'], '--reporter must be pretty, junit or json (got tap)'],
    [['all', 'more'], 'one scenario name at a time'],
    [[], 'name a scenario (or all)'],
    [['all', '--target-file', 'x.yaml'], '--target-file describes the oci target: add --target oci'],
    [['all', '--wat'], "Unknown option '--wat'"],
  ])('%j: exit 2 with what to do', async (args, message) => {
    const out = io();
    expect(await runCli(args, out)).toBe(2);
    expect(out.text()).toContain(message);
  });

  it('the oci target without settings: exit 2 naming each missing field and its variable', async () => {
    const out = io({ OCI_HARNESS_IDENTITY_DOMAIN_URL: 'not a url' });
    expect(await runCli(['use-case-1-technical-user', '--target', 'oci'], out)).toBe(2);
    const text = out.text();
    expect(text).toContain('The oci target is not fully described (the environment)');
    expect(text).toContain('identityDomain.url (or OCI_HARNESS_IDENTITY_DOMAIN_URL): must be an http(s) URL');
    expect(text).toContain('identityDomain.adminClientSecret (or OCI_HARNESS_ADMIN_CLIENT_SECRET): missing');
    expect(text).toContain('gateway.gatewayId (or OCI_HARNESS_GATEWAY_ID): missing');
    expect(text).not.toContain('gateway: ');
  });
});
