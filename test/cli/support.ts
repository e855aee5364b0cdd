/**
 * `oci-auth-harness` as a child process, the way a user runs it: output captured, a bound on the
 * time, and the check that output on a pipe carries no colour.
 */
import { spawn } from 'node:child_process';
import { expect } from 'vitest';
import { ROOT } from '../support/processes.js';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const ANSI = /\x1b\[/;

export function run(command: string, args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...options.env };
    // A developer's NO_COLOR / FORCE_COLOR must not decide what the tests see.
    delete env.NO_COLOR;
    delete env.FORCE_COLOR;
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** `node --import tsx cli/main.ts ...`, what `npm run cli --` runs. */
export const cli = (args: string[], options?: { stdin?: string; env?: NodeJS.ProcessEnv }) => run(process.execPath, ['--import', 'tsx', 'cli/main.ts', ...args], options);

export function noAnsi(r: Run): Run {
  expect(r.stdout, 'no colour on a pipe').not.toMatch(ANSI);
  expect(r.stderr, 'no colour on a pipe').not.toMatch(ANSI);
  return r;
}
