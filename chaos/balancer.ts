/**
 * A round-robin TCP balancer in front of several server nodes, as a data center puts one: each new
 * connection goes to the next node that accepts it (no sticky routing), so a device whose node died
 * reconnects to another one.
 */
import net from 'node:net';

export interface Balancer {
  readonly port: number;
  /** Connections handed to each node so far. */
  readonly counts: number[];
  close(): Promise<void>;
}

export async function startBalancer(ports: readonly number[]): Promise<Balancer> {
  const counts = ports.map(() => 0);
  const sockets = new Set<net.Socket>();
  let next = 0;
  const track = (s: net.Socket): void => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  /** Tries the nodes in turn from the next one; the client's socket is closed when none answers. */
  const route = (client: net.Socket, tries: number): void => {
    if (tries >= ports.length) {
      client.destroy();
      return;
    }
    const i = next;
    next = (next + 1) % ports.length;
    const upstream = net.connect({ port: ports[i] ?? 0, host: '127.0.0.1' });
    track(upstream);
    let connected = false;
    // Refused (the node is down): the next node gets the connection.
    upstream.once('error', () => {
      if (!connected) route(client, tries + 1);
    });
    upstream.once('connect', () => {
      connected = true;
      counts[i] = (counts[i] ?? 0) + 1;
      client.pipe(upstream);
      upstream.pipe(client);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => client.destroy());
      client.resume();
    });
  };
  const server = net.createServer({ pauseOnConnect: true }, (client) => {
    track(client);
    route(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    counts,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
