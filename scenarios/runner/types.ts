/**
 * What a scenario run produces, shared by the runner, the recorder, the reporters and the CLI.
 *
 * A scenario is a list of steps (IAM admin REST calls, token requests, gateway deployments, gateway
 * requests, clock moves). Each step yields an {@link Observation}: what a user could see of the
 * real service (status, chosen headers, body, the decoded token). Observations are what a parity
 * recording keeps (normalised) and what a later run against the emulator is compared with.
 */

/**
 * How far a step's behaviour is known to match OCI (the LocalStack model, reference
 * peers-and-parity.md §6): exactly one per step.
 * - `oci-validated`: a recording from a real tenancy exists for the step and the emulator matches it.
 * - `needs-fixing`: a recording exists and the emulator is known to differ; the diff is shown, not failed.
 * - `local-only`: by design never run against OCI (the harness clock, the decision log).
 * - `unverified`: nobody has run it against OCI yet.
 */
export const MARKERS = ['oci-validated', 'needs-fixing', 'local-only', 'unverified'] as const;
export type Marker = (typeof MARKERS)[number];

export const STEP_KINDS = ['iam', 'token', 'deploy', 'request', 'clock'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export type TargetKind = 'local' | 'oci';

/** A decoded JWT: the JOSE header and the claims, as the token carried them. */
export interface DecodedToken {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

/** What one step showed; every field optional (a clock step has no HTTP answer). */
export interface Observation {
  status?: number;
  /** The chosen response headers (lower-case names), each as one string (values joined with ", "). */
  headers?: Record<string, string>;
  /** The response body: parsed JSON when it was JSON, else the text; absent when empty. */
  body?: unknown;
  /** The access token the answer carried (`access_token` of a token response), decoded. */
  accessToken?: DecodedToken;
  /** The ID token the answer carried, decoded. */
  idToken?: DecodedToken;
}

/** One difference between a recorded and a current observation, at a JSON path like `$.body.aud[1]`. */
export interface Difference {
  path: string;
  kind: 'changed' | 'missing' | 'extra';
  /** Absent for `extra`. */
  recorded?: unknown;
  /** Absent for `missing`. */
  actual?: unknown;
}

export type StepOutcome = 'passed' | 'failed' | 'skipped' | 'error';

export interface StepResult {
  id: string;
  title?: string;
  kind: StepKind;
  marker: Marker;
  outcome: StepOutcome;
  durationMs: number;
  /** What the step did, for a progress line: `POST /admin/v1/Apps`, `GET /test-k3f9/1`. */
  action: string;
  /** Expectation failures (outcome `failed`) or the error (outcome `error`), each one sentence. */
  failures: string[];
  /** Why the step did not run (outcome `skipped`). */
  skippedReason?: string;
  /** The gateway's own reason for a refusal, when the target can tell it (the local decision log). */
  gatewayReason?: string;
  /** The raw observation (secrets still in it: reporters mask before printing). */
  observation?: Observation;
  /** The comparison with the recording, when one was made. */
  parity?: { differences: Difference[]; ignored: string[] };
}

export interface ScenarioResult {
  name: string;
  file: string;
  title?: string;
  target: TargetKind;
  outcome: 'passed' | 'failed';
  durationMs: number;
  steps: StepResult[];
  /** The recording file, and what the run did with it (`not-written`: the run failed, a partial recording would mislead). */
  recording?: { file: string; action: 'written' | 'not-written' | 'compared' | 'absent' };
  /** Values that must never be printed (client secrets, passwords, tokens): reporters mask them. */
  secrets: string[];
  /** What could not be deleted when the scenario ended (a failure: the target keeps leftovers). */
  cleanupProblems?: string[];
}

/** A parity recording on disk, beside its scenario: `<name>.recording.json`. */
export interface Recording {
  scenario: string;
  /** ISO date of the recording. */
  recordedAt: string;
  /** Where it was recorded, in words (`oci: eu-frankfurt-1`, `fake remote: a second local stack`); never a secret. */
  recordedAgainst: string;
  /** Normalised observations, by step id, in step order. */
  steps: Record<string, Observation>;
}
