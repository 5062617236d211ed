export { buildServer, type HttpDeps } from './server.ts';
