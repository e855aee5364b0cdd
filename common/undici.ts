/**
 * The one door to undici 7 (the gateway's HTTP client: backends and JWKS fetches). Node's own
 * `fetch` must be initialised first; see node-fetch-first.ts for why.
 */
import './node-fetch-first.js';

export { Agent, request } from 'undici';
export type { Dispatcher } from 'undici';
