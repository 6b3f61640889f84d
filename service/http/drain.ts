import type { FastifyInstance } from 'fastify';

// Graceful close without waiting out keep-alive. `app.close()` reaps the connections that
// are idle when it starts; a request still in flight then answers on a keep-alive socket
// that nothing reaps any more, which sits idle for the whole keepAliveTimeout and holds
// close() up (on the service: past the 25 s shutdown limit, a forced exit in the middle
// of the consumer's commit). Every answer sent while closing carries "Connection: close",
// so the socket ends with its answer. Used by the service and the gateway stand-in.

/** Installs the hooks; the signal is aborted when closing begins (to cut other waits short). */
export function closeSocketsWhileDraining(app: FastifyInstance): AbortSignal {
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort(new Error('the server is closing')));
  app.addHook('onSend', async (_req, reply, payload) => {
    if (closing.signal.aborted) reply.header('connection', 'close');
    return payload;
  });
  return closing.signal;
}
