/**
 * Import before `undici` (common/undici.ts does): keeps Node's own `fetch` working in a process
 * that also runs the gateway.
 *
 * Node 20's global `fetch` is its bundled undici 6, loaded on the first call; it sends through the
 * process-wide dispatcher under `Symbol.for('undici.globalDispatcher.1')`, installing its own Agent
 * there if none is set. undici 7 (our dependency) installs *its* Agent there as soon as it is
 * imported, and Node's fetch then fails through it on requests that carry their own
 * `Content-Length` ("invalid content-length header"): the oci-apigateway SDK's requests, for one,
 * in any test suite that starts the stack in-process. Calling Node's fetch once, before undici 7
 * is imported, lets Node install its own dispatcher first (the require is synchronous; the
 * `data:` URL never touches the network); undici 7 then leaves it in place.
 */
void globalThis.fetch('data:,').then(
  (response) => response.arrayBuffer(),
  () => undefined,
);
