/**
 * What every command of `oci-auth-harness` is and gets: its help text and a `run` that takes the
 * arguments after the command name and returns the exit status (0 success, 1 the thing checked
 * failed or a service refused, 2 usage or input error). Output goes through `io`, so tests can run
 * a command in-process as well as a user runs it.
 */
import { readFileSync } from 'node:fs';
import type { Style } from '../tools/explain.js';
import { colorEnabled, makeStyle, startSpinner, type Spinner } from './terminal.js';

export interface CommandIo {
  /** Standard output, one call per block of lines (a newline is added). */
  out(text: string): void;
  /** Standard error. */
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Colour on standard output (a terminal, NO_COLOR unset). */
  color: boolean;
  style: Style;
  /** Standard input, whole (for `-`). */
  readStdin(): Promise<string>;
  /** A progress indicator on standard error, shown only once work takes over a second. */
  spinner(label: string): Spinner;
}

export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Its help text: `--help` / `-h` prints it (cli/main.ts) instead of running. Absent: the command answers --help itself. */
  help?: string;
  /** Runs the command. */
  run(argv: string[], io: CommandIo): Promise<number>;
}

/** An error the user can fix: printed as it is (no stack), exit 2 unless it says otherwise. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export function processIo(): CommandIo {
  const color = colorEnabled(process.stdout);
  return {
    out: (text) => void process.stdout.write(`${text}\n`),
    err: (text) => void process.stderr.write(`${text}\n`),
    env: process.env,
    color,
    style: makeStyle(color),
    readStdin: async () => {
      try {
        return readFileSync(0, 'utf8');
      } catch {
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        return Buffer.concat(chunks).toString('utf8');
      }
    },
    spinner: (label) => startSpinner(label),
  };
}

/** `-h` / `--help` anywhere before a `--`. */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const arg of argv) {
    if (arg === '--') return false;
    if (arg === '-h' || arg === '--help') return true;
  }
  return false;
}

/** A readable message for a failed fetch: ECONNREFUSED rather than "fetch failed". */
export function fetchFailure(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'no answer in time';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
