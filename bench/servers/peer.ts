/** The peer: oauth2-mock-server with a freshly generated RS256 key, as its README starts it. */
import { OAuth2Server } from 'oauth2-mock-server';
import { emit, serveCommands } from './protocol.js';

const server = new OAuth2Server();
await server.issuer.keys.generate('RS256');
await server.start(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1');
serveCommands();
const { port } = server.address();
emit({ ready: true, port, url: `http://127.0.0.1:${port}` });
