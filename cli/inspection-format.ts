/** A TokenInspection (tools/token-inspection.ts) as text: header, claims with meanings and dates, signature. */
import type { Style } from '../tools/explain.js';
import type { ClaimLine, TokenInspection } from '../tools/token-inspection.js';

function lineBlock(lines: ClaimLine[], style: Style): string[] {
  const width = Math.min(24, Math.max(0, ...lines.map((l) => l.name.length)));
  const out: string[] = [];
  for (const line of lines) {
    const value = JSON.stringify(line.value);
    out.push(`  ${line.name.padEnd(width)}  ${value}${line.time ? `  ${style.bold(line.time.iso)} (${line.time.relative})` : ''}`);
    if (line.meaning) out.push(`  ${' '.repeat(width)}  ${style.dim(line.meaning)}`);
  }
  return out;
}

export function signatureText(inspection: TokenInspection, style: Style): string {
  const s = inspection.signature;
  if (!s.checked) return `${style.dim('signature not checked:')} ${s.reason}`;
  return s.valid ? `${style.ok('✓ signature valid:')} ${s.reason}` : `${style.bad('✗ signature INVALID:')} ${s.reason}`;
}

export function formatInspection(inspection: TokenInspection, style: Style): string {
  return [style.bold('header'), ...lineBlock(inspection.headerLines, style), '', style.bold('claims'), ...lineBlock(inspection.claimLines, style), '', signatureText(inspection, style)].join('\n');
}
