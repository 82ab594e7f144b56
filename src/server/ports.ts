import net from "node:net";

/** A port the OS reports free on `host` right now (bind to 0, read it back, close). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once("error", reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    sock.once("connect", () => { sock.destroy(); resolve(true); });
    sock.once("error", () => resolve(false));
  });
}

/**
 * Polls until every port accepts connections. Gives up after `timeoutMs`, or at once when
 * `failed()` reports that the server process has exited.
 */
export async function waitForPorts(
  host: string,
  ports: number[],
  opts: { timeoutMs: number; failed: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const why = opts.failed();
    if (why) throw new Error(why);
    const answers = await Promise.all(ports.map((p) => portAnswers(host, p)));
    if (answers.every(Boolean)) return;
    if (Date.now() > deadline) {
      const closed = ports.filter((_, i) => !answers[i]);
      throw new Error(`ports ${closed.join(", ")} on ${host} did not answer within ${opts.timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
