#!/usr/bin/env node
/**
 * The `oci-auth-harness` command (package.json "bin"): `npx oci-auth-harness <command>` from the
 * project, or once linked. The sources are TypeScript: tsx's ESM loader is registered here, then
 * the CLI (cli/main.ts) runs the command line.
 */
import { register } from 'tsx/esm/api';

register();
const { runAsProgram } = await import(new URL('../cli/main.ts', import.meta.url).href);
runAsProgram(process.argv.slice(2));
