import { afterEach, describe, expect, it } from "vitest";
import { crc16modbus } from "./crc.ts";
import { ModbusError } from "./errors.ts";
import { ModbusLink } from "./link.ts";
import { ModbusException, RegisterImage } from "./registers.ts";
import { MockRtuLine } from "./rtu-mock.ts";
import { ModbusTcpServer } from "./tcp-server.ts";

/** An image that refuses everything at and above 50000, as a device with a smaller map. */
class Guarded extends RegisterImage {
  override read(address: number, count: number): number[] {
    if (address + count > 50000) throw new ModbusException(2);
    return super.read(address, count);
  }
  override write(address: number, values: readonly number[]): void {
    if (address + values.length > 50000) throw new ModbusException(2);
    super.write(address, values);
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function tcp(unitId = 1, timeoutMs = 300) {
  const image = new Guarded();
  const server = new ModbusTcpServer(image, { unitId: 1 });
  const { host, port } = await server.start();
  const link = new ModbusLink({ transport: { type: "tcp", host, port }, unitId, timeoutMs });
  cleanup.push(() => server.stop(), () => link.close());
  return { image, server, link, port };
}

function rtu(unitId = 3, timeoutMs = 300) {
  const image = new Guarded();
  const line = new MockRtuLine();
  line.attach(3, image);
  const link = new ModbusLink({
    transport: { type: "rtu", path: line.path, baudRate: 9600, parity: "none", dataBits: 8, stopBits: 1 },
    unitId, timeoutMs, binding: line.binding,
  });
  cleanup.push(() => link.close());
  return { image, line, link };
}

describe("crc16modbus", () => {
  it("matches the standard check value", () => {
    expect(crc16modbus(Buffer.from("123456789"))).toBe(0x4b37);
  });
});

describe("ModbusLink over TCP", () => {
  it("reads and writes holding registers, one request at a time", async () => {
    const { image, link } = await tcp();
    image.regs.set([0x5375, 0x6e53, 1, 66], 40000);
    await expect(link.readHoldingRegisters(40000, 4)).resolves.toEqual([0x5375, 0x6e53, 1, 66]);
    await link.writeRegisters(40100, [0x1234, 0xabcd]);
    await link.writeRegisters(40102, [7], true);
    expect(Array.from(image.regs.subarray(40100, 40103))).toEqual([0x1234, 0xabcd, 7]);
    // Parallel callers are queued, not interleaved on the wire.
    const reads = await Promise.all(Array.from({ length: 10 }, (_, i) => link.readHoldingRegisters(40100 + (i % 3), 1)));
    expect(reads.map((r) => r[0])).toEqual([0x1234, 0xabcd, 7, 0x1234, 0xabcd, 7, 0x1234, 0xabcd, 7, 0x1234]);
  });

  it("names the exception, the request and the device", async () => {
    const { link, port } = await tcp();
    const err = await link.readHoldingRegisters(49990, 24).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModbusError);
    expect((err as ModbusError).failure).toBe("exception");
    expect((err as ModbusError).message).toBe(`Modbus exception 2 (illegal data address) reading 49990+24 from 127.0.0.1:${port} unit 1`);
    await expect(link.writeRegisters(50001, [1])).rejects.toThrow(/Modbus exception 2 \(illegal data address\) writing 1 to 50001/);
    // The connection survives a refusal.
    await expect(link.readHoldingRegisters(0, 1)).resolves.toEqual([0]);
  });

  it("times out on a unit that does not answer", async () => {
    const { link } = await tcp(9, 150);
    const err = (await link.readHoldingRegisters(40000, 2).catch((e: unknown) => e)) as ModbusError;
    expect(err.failure).toBe("timeout");
    expect(err.message).toMatch(/no answer within 150 ms reading 40000\+2 from 127\.0\.0\.1:\d+ unit 9/);
  });

  it("reports a refused connection, then reconnects on the same link when the device is back", async () => {
    const { server, link, image } = await tcp();
    image.regs[10] = 42;
    await expect(link.readHoldingRegisters(10, 1)).resolves.toEqual([42]);
    await server.stop();
    const err = (await link.readHoldingRegisters(10, 1).catch((e: unknown) => e)) as ModbusError;
    expect(err.failure).toBe("connection");
    expect(err.message).toMatch(/connection (refused|closed)/);
    await expect(link.readHoldingRegisters(10, 1)).rejects.toThrow(/connection refused/);
    await server.start();
    await expect(link.readHoldingRegisters(10, 1)).resolves.toEqual([42]);
  });

  it("refuses reads longer than Modbus allows", async () => {
    const { link } = await tcp();
    expect(() => link.readHoldingRegisters(0, 126)).toThrow(/1\.\.125/);
  });
});

describe("ModbusLink over the mock RTU line", () => {
  it("reads (FC3) and writes (FC6, FC16) with valid CRCs", async () => {
    const { image, link } = rtu();
    image.regs.set([2305, 500], 100);
    await expect(link.readHoldingRegisters(100, 2)).resolves.toEqual([2305, 500]);
    await link.writeRegisters(200, [1, 2, 3]);
    await link.writeRegisters(203, [4], true);
    expect(Array.from(image.regs.subarray(200, 204))).toEqual([1, 2, 3, 4]);
  });

  it("passes exceptions through", async () => {
    const { link } = rtu();
    await expect(link.writeRegisters(50000, [1])).rejects.toThrow(/Modbus exception 2 \(illegal data address\) writing 1 to 50000 from \/dev\/ttyFLEXFED-\d+-\d+ unit 3/);
  });

  it("times out on another unit, and on a slave taken off the line until it is back", async () => {
    const other = rtu(4, 100);
    await expect(other.link.readHoldingRegisters(0, 1)).rejects.toThrow(/no answer within 100 ms/);
    const { line, link, image } = rtu(3, 100);
    line.detach(3);
    await expect(link.readHoldingRegisters(0, 1)).rejects.toMatchObject({ failure: "timeout" });
    line.attach(3, image);
    await expect(link.readHoldingRegisters(0, 1)).resolves.toEqual([0]);
  });
});
