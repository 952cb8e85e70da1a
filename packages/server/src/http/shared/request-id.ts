import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';

const safeRequestId = /^[\w.:-]{1,128}$/;

/** Fastify's options for request ids: a client's X-Request-Id is kept when it is short and plain, so it can't forge log lines; else a UUID. */
export const requestIdOptions = {
  genReqId: (req) => {
    const given = req.headers['x-request-id'];
    return typeof given === 'string' && safeRequestId.test(given) ? given : randomUUID();
  },
  requestIdHeader: false,
} satisfies Pick<FastifyServerOptions, 'genReqId' | 'requestIdHeader'>;

/** Every response carries its request's id in X-Request-Id; error bodies name it too. */
export function registerRequestIdHeader(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('X-Request-Id', request.id);
  });
}
