// A TCP forwarder between two loopback addresses that a test can cut (every connection closed,
// new ones refused) and heal: a network outage between two servers, on demand.
import net from "node:net";

export interface TcpProxy {
  /** Connections carried so far. */
  readonly connections: number;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(listen: { host: string; port: number }, target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let up = true, connections = 0;
  const server = net.createServer((client) => {
    if (!up) { client.destroy(); return; }
    connections++;
    const upstream = net.connect(target);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on("close", () => { open.delete(s); client.destroy(); upstream.destroy(); });
      s.on("error", () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => { server.once("error", reject); server.listen(listen.port, listen.host, resolve); });
  return {
    get connections() { return connections; },
    cut() { up = false; for (const s of open) s.destroy(); },
    heal() { up = true; },
    close() { for (const s of open) s.destroy(); return new Promise((r) => server.close(() => r())); },
  };
}
