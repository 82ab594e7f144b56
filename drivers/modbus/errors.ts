// Modbus failures in words a user can act on: what was asked, of whom, and what went wrong.

export type ModbusFailure = "exception" | "timeout" | "connection";

const EXCEPTIONS: Record<number, string> = {
  1: "illegal function",
  2: "illegal data address",
  3: "illegal data value",
  4: "server device failure",
  5: "acknowledge",
  6: "server device busy",
  8: "memory parity error",
  10: "gateway path unavailable",
  11: "gateway target device failed to respond",
};

export function exceptionName(code: number): string {
  return EXCEPTIONS[code] ?? "unknown exception";
}

export class ModbusError extends Error {
  override name = "ModbusError";
  constructor(
    readonly failure: ModbusFailure,
    message: string,
    /** The Modbus exception code, for failure "exception". */
    readonly code?: number,
  ) {
    super(message);
  }
}

interface LibError {
  name?: string;
  message?: string;
  modbusCode?: number;
  errno?: string;
  code?: string;
}

/**
 * Classifies what modbus-serial threw. `what` names the request ("reading 40070+24"), `where` the
 * device ("127.0.0.1:5020 unit 1").
 */
export function describeFailure(err: unknown, what: string, where: string, timeoutMs: number): ModbusError {
  if (err instanceof ModbusError) return err;
  const e = (typeof err === "object" && err !== null ? err : { message: String(err) }) as LibError;
  if (typeof e.modbusCode === "number") {
    return new ModbusError("exception", `Modbus exception ${e.modbusCode} (${exceptionName(e.modbusCode)}) ${what} from ${where}`, e.modbusCode);
  }
  if (e.name === "TransactionTimedOutError" || e.errno === "ETIMEDOUT") {
    return new ModbusError("timeout", `no answer within ${timeoutMs} ms ${what} from ${where} (is the unit id right and the device on?)`);
  }
  if (e.name === "PortNotOpenError") return new ModbusError("connection", `connection to ${where} is not open ${what}`);
  const code = e.code ?? e.errno;
  const reason = code === "ECONNREFUSED" ? "connection refused" : code === "ECONNRESET" ? "connection reset" : (e.message ?? String(err));
  return new ModbusError("connection", `cannot reach ${where} ${what}: ${reason}`);
}
