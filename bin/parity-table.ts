/** `npm run parity-table`: rewrites the generated parity section of docs/fidelity.md from scenarios/. */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioFiles } from '../scenarios/runner/cli.js';
import { writeParityTable } from '../scenarios/runner/parity-table.js';
import { loadScenario } from '../scenarios/runner/scenario-file.js';

const fidelity = resolve(fileURLToPath(new URL('.', import.meta.url)), '../docs/fidelity.md');
const changed = writeParityTable(fidelity, scenarioFiles('all').map(loadScenario));
console.log(changed ? `updated the parity table in ${fidelity}` : 'the parity table is up to date');
