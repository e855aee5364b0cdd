/** The generated parity table in docs/fidelity.md follows the scenarios' markers and recordings. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioFiles } from '../../scenarios/runner/cli.js';
import { PARITY_END, PARITY_START, parityTable, withParityTable } from '../../scenarios/runner/parity-table.js';
import { writeRecording } from '../../scenarios/runner/recording.js';
import { loadScenario, parseScenario } from '../../scenarios/runner/scenario-file.js';

describe('the parity table', () => {
  it('docs/fidelity.md holds the table of the current scenarios (run npm run parity-table when this fails)', () => {
    const doc = readFileSync(new URL('../../docs/fidelity.md', import.meta.url), 'utf8');
    const table = parityTable(scenarioFiles('all').map(loadScenario));
    expect(doc).toContain(table);
    expect(table).toMatch(/^\d+ scenario steps: 0 oci-validated, 0 needs-fixing, 2 local-only, \d+ unverified\.$/m);
  });

  it('counts markers, names the recording of a recorded step, and replaces only its own section', () => {
    const dir = mkdtempSync(join(tmpdir(), 'parity-table-'));
    try {
      const file = join(dir, 'demo.yaml');
      const scenario = parseScenario(
        {
          steps: [
            { id: 'checked', title: 'a | pipe', marker: 'oci-validated', request: { path: '/x' } },
            { id: 'differs', marker: 'needs-fixing', note: 'OCI says 403', request: { path: '/x' } },
            { id: 'new', request: { path: '/x' } },
          ],
        },
        file,
      );
      writeRecording(join(dir, 'demo.recording.json'), { scenario: 'demo', recordedAt: '2026-11-20T10:00:00.000Z', recordedAgainst: 'oci: eu-frankfurt-1', steps: { checked: { status: 200 }, differs: { status: 403 } } });
      const table = parityTable([scenario]);
      expect(table).toContain('3 scenario steps: 1 oci-validated, 1 needs-fixing, 0 local-only, 1 unverified.');
      expect(table).toContain('| demo.yaml | `checked` | a \\| pipe | oci-validated | oci: eu-frankfurt-1, 2026-11-20 |');
      expect(table).toContain('| demo.yaml | `differs` |  | needs-fixing (OCI says 403) | oci: eu-frankfurt-1, 2026-11-20 |');
      expect(table).toContain('| demo.yaml | `new` |  | unverified | — |');
      const doc = `# Title\n\nbefore\n\n${PARITY_START}\nold\n${PARITY_END}\n\nafter\n`;
      expect(withParityTable(doc, table)).toBe(`# Title\n\nbefore\n\n${table}\n\nafter\n`);
      expect(withParityTable('# Title\n', table)).toBe(`# Title\n\n${table}\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
