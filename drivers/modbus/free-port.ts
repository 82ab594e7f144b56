import net from "node:net";

/** A free TCP port on 127.0.0.1 (modbus-serial's ServerTCP treats port 0 as 502, so it cannot pick one itself). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}
