/**
 * Parity recordings on disk (`<scenario>.recording.json`) and the human form of their differences.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import type { Difference, Observation, Recording } from './types.js';

const RECORDING_SUFFIX = '.recording.json';

/** Where a printed value is cut: a JWT or a JWK would otherwise fill the terminal. */
const MAX_VALUE_LENGTH = 120;

/**
 * The recording of a scenario file: beside it (`foo.yaml` → `foo.recording.json`), or with
 * `recordingsDir` in that directory (`<dir>/foo.recording.json`).
 */
export function recordingFileFor(scenarioFile: string, recordingsDir?: string): string {
  const name = basename(scenarioFile, extname(scenarioFile)) + RECORDING_SUFFIX;
  return recordingsDir === undefined ? join(dirname(scenarioFile), name) : join(recordingsDir, name);
}

/**
 * The recording in `file`; `undefined` when there is none. A file that exists but cannot be used
 * (unreadable, not JSON, not the shape of a recording) throws an Error naming the file and the
 * problem: comparing with half a recording would report nonsense.
 */
export function readRecording(file: string): Recording | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Recording ${file}: cannot be read: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`Recording ${file}: not valid JSON: ${(error as Error).message}`);
  }
  const problem = recordingProblem(parsed);
  if (problem !== undefined) throw new Error(`Recording ${file}: ${problem}`);
  return parsed as Recording;
}

/**
 * Writes a recording as pretty JSON (2 spaces) with a trailing newline, creating directories.
 * Atomic: written to a temporary file in the same directory, then renamed over the target, so an
 * interrupted run leaves the old recording or the new one, never half of one.
 */
export function writeRecording(file: string, recording: Recording): void {
  const dir = dirname(file);
  mkdirSync(dir, { recursive: true });
  const temp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, JSON.stringify(recording, null, 2) + '\n', 'utf8');
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * The differences of one step as lines for a terminal: a heading naming the step, then one
 * indented line per difference. No differences, no lines.
 *
 *     get-app: 3 differences from the recording
 *       $.status: recorded 401, now 404
 *       $.body.code: missing now (recorded 401)
 *       $.headers.retry-after: new (now "1")
 */
export function formatDifferences(stepId: string, differences: readonly Difference[]): string[] {
  if (differences.length === 0) return [];
  const count = differences.length === 1 ? '1 difference' : `${differences.length} differences`;
  const lines = [`${stepId}: ${count} from the recording`];
  for (const difference of differences) {
    const { path } = difference;
    switch (difference.kind) {
      case 'changed':
        lines.push(`  ${path}: recorded ${show(difference.recorded)}, now ${show(difference.actual)}`);
        break;
      case 'missing':
        lines.push(`  ${path}: missing now (recorded ${show(difference.recorded)})`);
        break;
      case 'extra':
        lines.push(`  ${path}: new (now ${show(difference.actual)})`);
        break;
    }
  }
  return lines;
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_LENGTH ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…` : text;
}

/** What makes a parsed file not a recording, in words with the path of the problem; undefined when it is one. */
function recordingProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'expected a JSON object';
  for (const key of ['scenario', 'recordedAt', 'recordedAgainst'] as const) {
    if (typeof value[key] !== 'string') return `"${key}" must be a string`;
  }
  const steps = value['steps'];
  if (!isObject(steps)) return '"steps" must be an object (observations by step id)';
  for (const [id, observation] of Object.entries(steps)) {
    const problem = observationProblem(observation);
    if (problem !== undefined) return `steps[${JSON.stringify(id)}]: ${problem}`;
  }
  return undefined;
}

const OBSERVATION_KEYS: ReadonlySet<string> = new Set<keyof Observation>(['status', 'headers', 'body', 'accessToken', 'idToken']);

function observationProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'expected an object';
  // An unknown field is most likely a hand edit's typo (`header`), which would silently never be compared.
  const unknown = Object.keys(value).filter((key) => !OBSERVATION_KEYS.has(key));
  if (unknown.length > 0) return `unknown field ${unknown.map((key) => JSON.stringify(key)).join(', ')}`;
  if (value['status'] !== undefined && (typeof value['status'] !== 'number' || !Number.isInteger(value['status']))) {
    return '"status" must be an integer';
  }
  const headers = value['headers'];
  if (headers !== undefined) {
    if (!isObject(headers)) return '"headers" must be an object';
    for (const [name, header] of Object.entries(headers)) {
      if (typeof header !== 'string') return `headers[${JSON.stringify(name)}] must be a string`;
    }
  }
  for (const key of ['accessToken', 'idToken'] as const) {
    const token = value[key];
    if (token === undefined) continue;
    if (!isObject(token) || !isObject(token['header']) || !isObject(token['claims'])) {
      return `"${key}" must be an object with "header" and "claims" objects`;
    }
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
