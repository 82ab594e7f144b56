export { ModbusLink, MAX_READ, type LinkOptions } from "./link.ts";
export { ModbusError, exceptionName, type ModbusFailure } from "./errors.ts";
export { TransportSchema, modbusConnection, type Transport } from "./config.ts";
export { ModbusException, RegisterImage, type RegisterBank } from "./registers.ts";
export { ModbusTcpServer, type TcpServerOptions } from "./tcp-server.ts";
export { MockRtuLine, answerRtu } from "./rtu-mock.ts";
export { crc16modbus } from "./crc.ts";
export { SimulatedModbusDevice } from "./simulated-device.ts";
