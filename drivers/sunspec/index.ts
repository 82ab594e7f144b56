export * from "./points.ts";
export { COMMON, STORAGE, BATTERY, METER, INVERTER, NAMEPLATE, CONTROLS, DER_CONTROLS, MODELS, modelDef } from "./models.ts";
export { decodeRaw, decodePoint, decodeModel, encodeValue, notImplemented, scale } from "./codec.ts";
export { discover, readModel, findModel, BASES, SUNS, SunSpecError, type ModelLocation, type SunSpecMap, type RegisterReader } from "./discovery.ts";
export { SunSpecImage, type PointValues } from "./builder.ts";
export * from "./register-map.ts";
