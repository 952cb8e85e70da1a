import type { Server } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../../config.js';
import { MapshelfError } from '../../domain/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route takes uploads: exempt from the whole-request limit (a 2 GB upload on a slow link
     * takes long), never from the idle limit.
     */
    upload?: boolean;
  }
}
/** Methods whose routes here never take a body. */
const bodylessMethods = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS']);
/** An unread rest of a body up to this size is read and dropped, so a refused client keeps its connection. */
const drainLimit = 64 * 1024;
/** The 408 for a request that took too long to arrive, written straight to the socket, with the usual error body. */
function requestTimeoutResponse(requestId: string, seconds: number): string {
  const body = JSON.stringify({
    detail: `The request did not arrive within ${seconds} s (--request-timeout); the connection is closed. Send it again, or upload large files to /sources/ or /documents/.`,
    code: 'request_timeout',
    request_id: requestId,
  });
  return `HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The Fastify server options that carry the timeouts; `app.ts` spreads them into `Fastify({...})`. */
export function timeoutOptions(config: ServerConfig): { connectionTimeout: number; requestTimeout: number; http: { connectionsCheckingInterval: number } } {
  return {
    // Socket inactivity: a client that sends (or reads) nothing for this long is dropped.
    connectionTimeout: config.idleTimeout * 1000,
    // Node's requestTimeout is server-wide and would cut uploads; the whole-request limit is per route below.
    requestTimeout: 0,
    // Node checks headersTimeout on this interval (30 s by default, which would double a 30 s limit).
    http: { connectionsCheckingInterval: Math.min(5000, (config.headersTimeout * 1000) / 2) },
  };
}

function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0' && Number(length) !== 0);
}

/**
 * Slow and greedy clients, before authentication:
 * - headers must arrive within `headersTimeout` and a whole non-upload request within
 *   `requestTimeout` (408, connection closed);
 * - a connection that is silent for `idleTimeout` while the server waits on the client is
 *   closed (an upload's scratch folder goes with it); the timer is paused while a handler works;
 * - a body sent to a route that takes none (GET, HEAD, DELETE, OPTIONS) is refused at once with
 *   a 400, unread;
 * - a response sent before a large or chunked body was read (a 401 to an anonymous upload)
 *   closes the connection rather than read the body just to drop it;
 * - one client address may hold at most `maxConnectionsPerClient` open connections.
 */
export function registerConnectionLimits(app: FastifyInstance, config: ServerConfig): void {
  app.server.headersTimeout = config.headersTimeout * 1000;
  if (config.maxConnectionsPerClient > 0) limitConnectionsPerClient(app.server, config.maxConnectionsPerClient, app);
  const requestMs = config.requestTimeout * 1000;
  const idleMs = config.idleTimeout * 1000;

  app.addHook('onRequest', async (request, reply) => {
    const { raw } = request;
    if (requestMs > 0 && request.routeOptions.config?.upload !== true) {
      const timer = setTimeout(() => {
        // Only a request still arriving is cut; a finished one (a long download, say) is left alone.
        if (raw.complete || raw.socket.destroyed) return;
        request.log.info({ requestTimeout: config.requestTimeout }, 'request took too long to arrive; closing the connection');
        // A 408 when nothing of the answer went out yet (Fastify is still waiting for the body, so it can't answer itself).
        if (!reply.raw.headersSent && raw.socket.writable) raw.socket.end(requestTimeoutResponse(request.id, config.requestTimeout), () => raw.socket.destroy());
        else raw.socket.destroy();
      }, requestMs);
      timer.unref();
      const clear = () => clearTimeout(timer);
      raw.once('end', clear);
      raw.once('close', clear);
      reply.raw.once('close', clear);
    }
    if (request.routeOptions.url !== undefined && bodylessMethods.has(request.method) && !request.routeOptions.schema?.body && hasBody(request)) {
      throw new MapshelfError('bad_request', `${request.method} takes no request body; send it without one.`, {
        errors: [{ location: 'body', message: 'not allowed on this route' }],
      });
    }
  });

  if (idleMs > 0) {
    // The client has sent everything: the wait is the server's, so the idle timer stops until the answer starts.
    app.addHook('preHandler', async (request) => {
      const { raw } = request;
      if (raw.complete) raw.socket.setTimeout(0);
      else raw.once('end', () => raw.socket.setTimeout(0));
    });
  }

  app.addHook('onSend', async (request, reply) => {
    const { raw } = request;
    // From here the server writes; a client that stops reading the answer is idle again.
    if (idleMs > 0 && !raw.socket.destroyed) raw.socket.setTimeout(idleMs);
    if (!raw.complete && hasBody(request)) {
      const length = Number(request.headers['content-length']);
      if (!(length <= drainLimit)) reply.header('Connection', 'close');
    }
  });
}

/**
 * Counts open sockets per remote address; one past the cap is destroyed as it arrives. Destroying
 * costs nothing (no TLS handshake, no parsing, no timers), works the same for HTTP and HTTPS, and
 * the SDK retries a dropped connection; a 429 would first need the request read, which is what
 * the cap is there to spare.
 */
export function limitConnectionsPerClient(server: Server, max: number, app: Pick<FastifyInstance, 'log'>): void {
  const open = new Map<string, number>();
  const warned = new Set<string>();
  server.on('connection', (socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      if (!warned.has(address)) {
        warned.add(address);
        app.log.warn({ address, maxConnectionsPerClient: max }, 'client is at its connection limit; closing its new connections');
      }
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left > 0) open.set(address, left);
      else open.delete(address);
      if (left < max) warned.delete(address);
    });
  });
}
