// The appliance families: a dishwasher (Shiftable), a heat pump with a buffer tank (Storage) and a
// diesel generator (Adjustable), each over a documented Modbus register map (README.md).
export * from "./generator/index.ts";
export * from "./heat-pump/index.ts";
export * from "./dishwasher/index.ts";
