import { createServer, type RequestListener, type Server } from 'node:http';
import type { LiveRelays } from '../../streams/live.js';

/** An HTTP server on loopback whose WebSocket upgrades at /live/{cameraId} go to `relays`; other requests to `onRequest`. */
export async function serveLiveRelays(relays: LiveRelays, onRequest?: RequestListener): Promise<{ server: Server; port: number }> {
  const server = createServer(onRequest);
  server.on('upgrade', (req, socket, head) => {
    const id = /^\/live\/([\w-]+)$/.exec(req.url ?? '')?.[1];
    if (id) relays.handleUpgrade(req, socket, head, id);
    else socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as { port: number }).port };
}
