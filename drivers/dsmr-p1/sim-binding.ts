// serialport's mock binding, remembering which port is open at each path: the driver opens the
// port through it, the simulator of that path writes into the port the driver opened.
import { SerialPortMock } from "serialport";

const mock = SerialPortMock.binding;
type MockPort = Awaited<ReturnType<typeof mock.open>>;

const opened = new Map<string, MockPort>();

export const simulatedBinding: typeof mock = {
  ...mock,
  async open(options) {
    const port = await mock.open(options);
    opened.set(options.path, port);
    return port;
  },
};

/** Makes `path` exist for the mock binding (a meter plugged in). */
export function createSimulatedPort(path: string): void {
  mock.createPort(path, { echo: false, record: false });
}

/** The port a reader has open at `path`, if any. */
export function openedPort(path: string): MockPort | undefined {
  const port = opened.get(path);
  return port?.isOpen ? port : undefined;
}
