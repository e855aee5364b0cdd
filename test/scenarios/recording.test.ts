import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatDifferences, readRecording, recordingFileFor, writeRecording } from '../../scenarios/runner/recording.js';
import type { Recording } from '../../scenarios/runner/types.js';

const RECORDING: Recording = {
  scenario: 'client-credentials',
  recordedAt: '2026-11-28',
  recordedAgainst: 'oci: eu-frankfurt-1',
  steps: {
    'create-app': { status: 201, headers: { etag: '<etag:1>' }, body: { id: '<id:1>', tags: ['a', 'b'] } },
    token: {
      status: 200,
      body: 'text body',
      accessToken: { header: { alg: 'RS256' }, claims: { '(exp - iat)': 3600, sub: '<id:1>' } },
      idToken: { header: {}, claims: {} },
    },
    tick: {},
  },
};

describe('recordingFileFor', () => {
  it('puts the recording beside the scenario, or in the directory given', () => {
    expect(recordingFileFor(join('scenarios', 'foo.yaml'))).toBe(join('scenarios', 'foo.recording.json'));
    expect(recordingFileFor(join('a', 'b', 'bar.yml'))).toBe(join('a', 'b', 'bar.recording.json'));
    expect(recordingFileFor('foo.yaml')).toBe('foo.recording.json');
    expect(recordingFileFor(join('scenarios', 'foo.yaml'), join('out', 'recs'))).toBe(join('out', 'recs', 'foo.recording.json'));
  });
});

describe('readRecording / writeRecording', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'recording-test-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('round-trips a recording as pretty JSON with a trailing newline, creating directories', () => {
    const file = join(dir, 'nested', 'deeper', 'x.recording.json');
    writeRecording(file, RECORDING);
    const text = readFileSync(file, 'utf8');
    expect(text).toBe(JSON.stringify(RECORDING, null, 2) + '\n');
    expect(text).toContain('\n  "scenario": "client-credentials",\n');
    expect(readRecording(file)).toEqual(RECORDING);
  });

  it('replaces an existing recording and leaves no temporary file behind', () => {
    const file = join(dir, 'x.recording.json');
    writeRecording(file, { ...RECORDING, recordedAt: 'first' });
    writeRecording(file, RECORDING);
    expect(readdirSync(dir)).toEqual(['x.recording.json']);
    expect(readRecording(file)?.recordedAt).toBe('2026-11-28');
  });

  it('cleans up its temporary file when the rename fails', () => {
    const target = join(dir, 'taken');
    mkdirSync(join(target, 'not-empty'), { recursive: true });
    expect(() => writeRecording(target, RECORDING)).toThrow();
    expect(readdirSync(dir)).toEqual(['taken']);
  });

  it('returns undefined when the file is absent', () => {
    expect(readRecording(join(dir, 'none.recording.json'))).toBeUndefined();
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['not JSON', '{"scenario": ', /not valid JSON/],
    ['an array', '[]', /expected a JSON object/],
    ['no scenario', JSON.stringify({ ...RECORDING, scenario: 3 }), /"scenario" must be a string/],
    ['no recordedAt', JSON.stringify({ ...RECORDING, recordedAt: undefined }), /"recordedAt" must be a string/],
    ['steps as a list', JSON.stringify({ ...RECORDING, steps: [] }), /"steps" must be an object/],
    ['a step that is not an object', JSON.stringify({ ...RECORDING, steps: { s: 1 } }), /steps\["s"\]: expected an object/],
    ['a typo in a field', JSON.stringify({ ...RECORDING, steps: { s: { header: {} } } }), /steps\["s"\]: unknown field "header"/],
    ['a text status', JSON.stringify({ ...RECORDING, steps: { s: { status: '200' } } }), /"status" must be an integer/],
    ['a header list', JSON.stringify({ ...RECORDING, steps: { s: { headers: { a: ['x'] } } } }), /headers\["a"\] must be a string/],
    ['a token without claims', JSON.stringify({ ...RECORDING, steps: { s: { idToken: { header: {} } } } }), /"idToken" must be an object/],
  ];
  for (const [what, content, problem] of invalid) {
    it(`throws naming the file and the problem for ${what}`, () => {
      const file = join(dir, 'bad.recording.json');
      writeFileSync(file, content);
      expect(() => readRecording(file)).toThrow(problem);
      expect(() => readRecording(file)).toThrow(file);
    });
  }

  it('throws naming the file when it cannot be read', () => {
    expect(() => readRecording(dir)).toThrow(`Recording ${dir}: cannot be read`);
  });
});

describe('formatDifferences', () => {
  it('prints a heading and one line per difference', () => {
    expect(
      formatDifferences('get-app', [
        { path: '$.status', kind: 'changed', recorded: 401, actual: 404 },
        { path: '$.body.code', kind: 'missing', recorded: 401 },
        { path: '$.headers.retry-after', kind: 'extra', actual: '1' },
        { path: '$.body.aud', kind: 'changed', recorded: ['a'], actual: null },
      ]),
    ).toEqual([
      'get-app: 4 differences from the recording',
      '  $.status: recorded 401, now 404',
      '  $.body.code: missing now (recorded 401)',
      '  $.headers.retry-after: new (now "1")',
      '  $.body.aud: recorded ["a"], now null',
    ]);
  });

  it('says "1 difference" and prints nothing for none', () => {
    expect(formatDifferences('s', [{ path: '$.x', kind: 'extra', actual: { a: 1 } }])).toEqual([
      's: 1 difference from the recording',
      '  $.x: new (now {"a":1})',
    ]);
    expect(formatDifferences('s', [])).toEqual([]);
  });

  it('cuts long values at 120 characters', () => {
    const long = 'x'.repeat(300);
    const [, line] = formatDifferences('s', [{ path: '$.body', kind: 'missing', recorded: long }]);
    const shown = line!.slice('  $.body: missing now (recorded '.length, -1);
    expect(shown).toHaveLength(120);
    expect(shown).toBe(`"${'x'.repeat(118)}…`);
    const [, short] = formatDifferences('s', [{ path: '$.body', kind: 'missing', recorded: 'x'.repeat(118) }]);
    expect(short).toBe(`  $.body: missing now (recorded "${'x'.repeat(118)}")`);
  });
});
