/** The raw RS256 signing ceiling of node:crypto, measured in its own child (servers/signer.ts). */
import { ControlledChild } from './children.js';
import type { LoadOptions } from './token-throughput.js';

export interface CeilingRun {
  rep: number;
  signaturesPerSec: number;
  signatures: number;
  cpuMsPerSignature: number;
}

export async function startSigner(): Promise<ControlledChild> {
  return (await ControlledChild.start('signer', 'bench/servers/signer.ts')).child;
}

export async function measureCeiling(signer: ControlledChild, rep: number, options: LoadOptions): Promise<CeilingRun> {
  const reply = await signer.request({ cmd: 'run', ...options }, options.warmupMs + options.measureMs + 30_000);
  return { rep, signaturesPerSec: Number(reply.perSecond), signatures: Number(reply.signatures), cpuMsPerSignature: Number(reply.cpuMsPerSignature) };
}
