/**
 * Requests node:http refuses before any route sees them (a header block over the limit, bytes
 * that are not HTTP) are answered in each component's own error shape with an opc-request-id,
 * not a bare status line.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../stack/index.js';

function raw(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

describe("node's own refusals, in each component's shape", () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(() => harness?.stop());

  const huge = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`;
  const garbage = 'GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n';

  it.each([
    ['the IAM (OAuth shape)', 'iam', huge, 431, { error: 'invalid_request', error_description: 'Request Header Fields Too Large' }],
    ['the IAM, a malformed request', 'iam', garbage, 400, { error: 'invalid_request', error_description: 'Bad Request' }],
    ['the control plane (OCI shape)', 'controlPlane', huge, 431, { code: 'RequestHeaderFieldsTooLarge', message: 'Request Header Fields Too Large' }],
    ['the gateway data plane', 'gateway', garbage, 400, { code: 400, message: 'Bad Request' }],
  ] as const)('%s', async (_name, component, request, status, body) => {
    const answer = await raw(harness.urls[component], request);
    const [head, text] = answer.split('\r\n\r\n') as [string, string];
    expect(head).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
    expect(head).toMatch(/\r\nopc-request-id: [0-9A-F/]+\r\n/i);
    expect(head).toMatch(/\r\ncontent-type: application\/json/);
    expect(JSON.parse(text)).toEqual(body);
  });
});
