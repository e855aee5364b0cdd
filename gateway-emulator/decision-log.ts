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

export class DecisionLog {
  private readonly entries: DecisionLogEntry[] = [];
  private next = 0;

  constructor(
    private readonly size: number,
    private readonly sink?: (line: string) => void,
  ) {}

  record(decision: Decision, meta: { time: string; requestId: string; status: number; backendFailure?: CheckResult }): DecisionLogEntry {
    const entry: DecisionLogEntry = {
      time: meta.time,
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
    this.sink?.(JSON.stringify({ ...entry, checks: undefined }));
    return entry;
  }

  /** The most recent entries, newest first. */
  recent(limit = this.size): DecisionLogEntry[] {
    const ordered = this.entries.length < this.size ? [...this.entries] : [...this.entries.slice(this.next), ...this.entries.slice(0, this.next)];
    return ordered.reverse().slice(0, limit);
  }
}
