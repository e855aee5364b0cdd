/**
 * `npm run scenario -- <name|file|all> [options]`: runs scenarios and reports. Exit status 0 when
 * every scenario passed, 1 when one failed, 2 when the command or a file is wrong.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatScenarioStart, formatStepLine, formatSummary } from './reporters/pretty.js';
import { jsonReport } from './reporters/json.js';
import { junitXml } from './reporters/junit.js';
import { runScenario } from './run.js';
import { loadScenario, ScenarioError, type Scenario } from './scenario-file.js';
import { startLocalTarget } from './targets/local.js';
import { ociTarget, ociTargetSettings } from './targets/oci.js';
import { TargetError, type Target } from './targets/target.js';
import type { ScenarioResult } from './types.js';

/** The shipped scenarios' folder. */
export const SCENARIOS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const USAGE = `Usage: npm run scenario -- <name|file|all> [options]

Runs auth scenarios (scenarios/*.yaml) against the local stack or a real identity domain and
API gateway, step by step, and reports each step.

  <name>                  a scenario of scenarios/ (e.g. use-case-1-technical-user), a YAML file, or all
  --target local|oci      local (default): a fresh stack in this process on free ports;
                          oci: the identity domain and gateway of --target-file / OCI_HARNESS_* variables
  --target-file FILE      the oci target's settings (YAML; see docs/scenarios.md)
  --reporter pretty|junit|json
                          pretty (default): progress and summary; junit: JUnit XML; json: the results
  --output FILE           write the junit/json report there (default: standard output)
  --record                write each scenario's recording (meant for --target oci)
  --recordings-dir DIR    read and write recordings there instead of beside each scenario
  --verbose               print each step's observation (secrets masked)
  --list                  list the scenarios and their steps' markers, run nothing
  -h, --help              this text

Exit status: 0 all passed, 1 a scenario failed, 2 a usage, scenario or target problem.`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
  /** Colour on a terminal only. */
  color: boolean;
  /** Test seam: the target for a scenario (default: a new local stack, or the oci target). */
  makeTarget?: (kind: 'local' | 'oci') => Promise<Target>;
}

/** The scenario files a name stands for: `all`, a name in scenarios/, or a path. */
export function scenarioFiles(name: string, dir = SCENARIOS_DIR): string[] {
  if (name === 'all') {
    return readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => resolve(dir, f));
  }
  const candidates = [isAbsolute(name) ? name : resolve(name), resolve(dir, name), resolve(dir, `${name}.yaml`)];
  const found = candidates.find((c) => existsSync(c) && /\.ya?ml$/.test(c));
  if (!found) {
    const known = scenarioFiles('all', dir).map((f) => f.slice(dir.length + 1).replace(/\.ya?ml$/, ''));
    throw new ScenarioError(name, [`no such scenario; the shipped ones: ${known.join(', ')}, or give a YAML file`]);
  }
  return [found];
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let args: ReturnType<typeof parse>;
  const parse = (a: string[]) =>
    parseArgs({
      args: a,
      allowPositionals: true,
      options: {
        target: { type: 'string', default: 'local' },
        'target-file': { type: 'string' },
        reporter: { type: 'string', default: 'pretty' },
        output: { type: 'string' },
        record: { type: 'boolean', default: false },
        'recordings-dir': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  try {
    args = parse(argv);
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = args;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const problems: string[] = [];
  if (positionals.length !== 1) problems.push(positionals.length ? `one scenario name at a time (got ${positionals.join(', ')}); use all for every one` : 'name a scenario (or all)');
  if (values.target !== 'local' && values.target !== 'oci') problems.push(`--target must be local or oci (got ${values.target})`);
  if (!['pretty', 'junit', 'json'].includes(values.reporter!)) problems.push(`--reporter must be pretty, junit or json (got ${values.reporter})`);
  if (values.output && values.reporter === 'pretty') problems.push('--output is for the junit and json reports');
  if (values['target-file'] && values.target !== 'oci') problems.push('--target-file describes the oci target: add --target oci');
  if (problems.length) {
    io.err(`${problems.join('\n')}\n\n${USAGE}`);
    return 2;
  }
  const targetKind = values.target as 'local' | 'oci';

  let scenarios: Scenario[];
  try {
    scenarios = scenarioFiles(positionals[0]!).map(loadScenario);
  } catch (err) {
    if (err instanceof ScenarioError) {
      io.err(err.message);
      return 2;
    }
    throw err;
  }
  if (values.list) {
    for (const s of scenarios) {
      io.out(`${s.name}${s.title ? `: ${s.title}` : ''}`);
      for (const step of s.steps) io.out(`  ${step.marker.padEnd(13)} ${step.id}${step.title ? `  ${step.title}` : ''}`);
    }
    return 0;
  }

  const makeTarget =
    io.makeTarget ??
    (async (kind: 'local' | 'oci') => (kind === 'local' ? startLocalTarget() : ociTarget(ociTargetSettings(values['target-file'] ? resolve(values['target-file']) : undefined, io.env))));
  // Progress goes to standard error when standard output carries a report.
  const progress = values.reporter === 'pretty' || values.output ? io.out : io.err;
  const pretty = { color: io.color, verbose: values.verbose };
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    let target: Target;
    try {
      target = await makeTarget(targetKind);
    } catch (err) {
      if (err instanceof TargetError) {
        io.err(err.message);
        return 2;
      }
      throw err;
    }
    progress(formatScenarioStart(scenario.name, target.description, scenario.title, pretty));
    let result: ScenarioResult;
    try {
      result = await runScenario(scenario, target, {
        record: values.record,
        recordingsDir: values['recordings-dir'] ? resolve(values['recordings-dir']) : undefined,
        onStep: (step, secrets) => progress(formatStepLine(step, secrets, pretty)),
      });
    } finally {
      await target.close();
    }
    results.push(result);
    // The comparison with the recording needs every step's observation, so it is told after them.
    const differing = result.steps.filter((s) => s.parity?.differences.length || (s.outcome === 'failed' && !s.parity && s.failures.some((f) => f.includes('recording'))));
    if (differing.length) {
      progress(`  compared with ${result.recording?.file ?? 'the recording'}:`);
      for (const step of differing) progress(formatStepLine(step, result.secrets, pretty));
    }
  }
  progress(formatSummary(results, pretty));
  if (values.reporter !== 'pretty') {
    const report = values.reporter === 'junit' ? junitXml(results) : jsonReport(results);
    if (values.output) {
      mkdirSync(dirname(resolve(values.output)), { recursive: true });
      writeFileSync(resolve(values.output), report);
    } else io.out(report);
  }
  return results.every((r) => r.outcome === 'passed') ? 0 : 1;
}
