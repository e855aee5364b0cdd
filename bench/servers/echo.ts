/**
 * The echo backend of the stack (CONTRACT.md) in its own process: the upstream every gateway case
 * of the bench forwards to, and case (a), called directly.
 */
import { startEchoBackend } from '../../gateway-emulator/backends/echo-server.js';
import { emit, serveCommands } from './protocol.js';

const echo = await startEchoBackend({ port: 0, host: '127.0.0.1' });
// Idle upstream connections of the proxies must not be closed between two load runs (the stack's
// 5 s would race a proxy reusing a socket just as it closes; that is a bench artefact, not a cost).
echo.server.keepAliveTimeout = 120_000;
serveCommands();
emit({ ready: true, port: echo.port, url: echo.url });
