/**
 * The decision trace, the harness's edge over the real gateway: one structured entry per request
 * with the deployment, the route, the outcome and the exact reason of a refusal (in OCI's log
 * wording, with what was expected and what was found). A bounded ring of recent entries is served
 * at `GET /_harness/decisions` on the control plane.
 */
import type { Decision } from './pipeline/pipeline.js';
import type { CheckResult } from './pipeline/types.js';

export interface DecisionLogEntry {
  time: string;
  requestId: string;
  method: string;
  path: string;
  deploymentId?: string | undefined;
  pathPrefix?: string | undefined;
  routePath?: string | undefined;
  outcome: 'accepted' | 'refused';
  status: number;
  /** For a refusal: the check that refused. For an accepted request whose backend failed: that failure. */
  reason?: CheckResult | undefined;
  checks: CheckResult[];
}

/** As kept: the instant as a number, written as ISO text only when the entry is read. */
type StoredEntry = Omit<DecisionLogEntry, 'time'> & { timeMs: number };

export class DecisionLog {
  private readonly entries: StoredEntry[] = [];
  private next = 0;

  constructor(
    private readonly size: number,
    private readonly sink?: (line: string) => void,
  ) {}

  /** `timeMs`: when the request came (epoch ms); formatted on reading, not per request. */
  record(decision: Decision, meta: { timeMs: number; requestId: string; status: number; backendFailure?: CheckResult }): void {
    const entry: StoredEntry = {
      timeMs: meta.timeMs,
      requestId: meta.requestId,
      method: decision.method,
      path: decision.path,
      deploymentId: decision.deploymentId,
      pathPrefix: decision.pathPrefix,
      routePath: decision.routePath,
      outcome: decision.outcome,
      status: meta.status,
      reason: decision.outcome === 'refused' ? decision.reason : meta.backendFailure,
      checks: decision.checks,
    };
    if (this.entries.length < this.size) this.entries.push(entry);
    else this.entries[this.next] = entry;
    this.next = (this.next + 1) % this.size;
    if (this.sink) this.sink(JSON.stringify({ ...readable(entry), checks: undefined }));
  }

  /** The most recent entries, newest first. */
  recent(limit = this.size): DecisionLogEntry[] {
    const ordered = this.entries.length < this.size ? [...this.entries] : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return ordered.reverse().slice(0, limit).map(readable);
  }
}

/** An entry as it is served and logged: `time` as ISO text first, as before. */
function readable({ timeMs, ...rest }: StoredEntry): DecisionLogEntry {
  return { time: new Date(timeMs).toISOString(), ...rest };
}
