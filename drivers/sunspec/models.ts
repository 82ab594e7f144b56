// Point tables for the models flexfed reads, from sunspec/models json/model_<id>.json (Apache-2.0):
// only the points drivers use, with their scale factors. Offsets from the model's ID register.
import type { ModelDef } from "./points.ts";

export const COMMON = {
  name: "common",
  ids: [1],
  length: 66,
  points: {
    Mn: { offset: 2, type: "string", size: 16 },
    Md: { offset: 18, type: "string", size: 16 },
    Opt: { offset: 34, type: "string", size: 8 },
    Vr: { offset: 42, type: "string", size: 8 },
    SN: { offset: 50, type: "string", size: 16 },
    DA: { offset: 66, type: "uint16", access: "RW" },
  },
} as const satisfies ModelDef;

export const STORAGE = {
  name: "storage",
  ids: [124],
  length: 24,
  points: {
    WChaMax: { offset: 2, type: "uint16", sf: "WChaMax_SF", units: "W", access: "RW" },
    WChaGra: { offset: 3, type: "uint16", sf: "WChaDisChaGra_SF", units: "% WChaMax/s", access: "RW" },
    WDisChaGra: { offset: 4, type: "uint16", sf: "WChaDisChaGra_SF", units: "% WChaMax/s", access: "RW" },
    /** bit 0 CHARGE, bit 1 DISCHARGE: the limits InWRte / OutWRte apply. */
    StorCtl_Mod: { offset: 5, type: "bitfield16", access: "RW" },
    MinRsvPct: { offset: 7, type: "uint16", sf: "MinRsvPct_SF", units: "%", access: "RW" },
    ChaState: { offset: 8, type: "uint16", sf: "ChaState_SF", units: "%" },
    InBatV: { offset: 10, type: "uint16", sf: "InBatV_SF", units: "V" },
    /** 1 OFF, 2 EMPTY, 3 DISCHARGING, 4 CHARGING, 5 FULL, 6 HOLDING, 7 TESTING. */
    ChaSt: { offset: 11, type: "enum16" },
    OutWRte: { offset: 12, type: "int16", sf: "InOutWRte_SF", units: "% WDisChaMax", access: "RW" },
    InWRte: { offset: 13, type: "int16", sf: "InOutWRte_SF", units: "% WChaMax", access: "RW" },
    InOutWRte_WinTms: { offset: 14, type: "uint16", units: "s", access: "RW" },
    InOutWRte_RvrtTms: { offset: 15, type: "uint16", units: "s", access: "RW" },
    InOutWRte_RmpTms: { offset: 16, type: "uint16", units: "s", access: "RW" },
    /** 0 PV, 1 GRID: where charging energy may come from. */
    ChaGriSet: { offset: 17, type: "enum16", access: "RW" },
    WChaMax_SF: { offset: 18, type: "sunssf" },
    WChaDisChaGra_SF: { offset: 19, type: "sunssf" },
    MinRsvPct_SF: { offset: 21, type: "sunssf" },
    ChaState_SF: { offset: 22, type: "sunssf" },
    InBatV_SF: { offset: 24, type: "sunssf" },
    InOutWRte_SF: { offset: 25, type: "sunssf" },
  },
} as const satisfies ModelDef;

export const BATTERY = {
  name: "battery",
  ids: [802],
  length: 62,
  points: {
    AHRtg: { offset: 2, type: "uint16", sf: "AHRtg_SF", units: "Ah" },
    WHRtg: { offset: 3, type: "uint16", sf: "WHRtg_SF", units: "Wh" },
    WChaRteMax: { offset: 4, type: "uint16", sf: "WChaDisChaMax_SF", units: "W" },
    WDisChaRteMax: { offset: 5, type: "uint16", sf: "WChaDisChaMax_SF", units: "W" },
    /** % of WHRtg per day. */
    DisChaRte: { offset: 6, type: "uint16", sf: "DisChaRte_SF", units: "%WHRtg" },
    SoCMax: { offset: 7, type: "uint16", sf: "SoC_SF", units: "%WHRtg" },
    SoCMin: { offset: 8, type: "uint16", sf: "SoC_SF", units: "%WHRtg" },
    // "SocRsvMax" is the model's own spelling.
    SocRsvMax: { offset: 9, type: "uint16", sf: "SoC_SF", units: "%WHRtg", access: "RW" },
    SoCRsvMin: { offset: 10, type: "uint16", sf: "SoC_SF", units: "%WHRtg", access: "RW" },
    SoC: { offset: 11, type: "uint16", sf: "SoC_SF", units: "%WHRtg" },
    SoH: { offset: 13, type: "uint16", sf: "SoH_SF", units: "%" },
    NCyc: { offset: 14, type: "uint32" },
    ChaSt: { offset: 16, type: "enum16" },
    /** 0 REMOTE, 1 LOCAL. */
    LocRemCtl: { offset: 17, type: "enum16" },
    /** 1 DISCONNECTED, 2 INITIALIZING, 3 CONNECTED, 4 STANDBY, 5 SOC PROTECTION, 6 SUSPENDING, 99 FAULT. */
    State: { offset: 22, type: "enum16" },
    Evt1: { offset: 26, type: "bitfield32" },
    V: { offset: 34, type: "uint16", sf: "V_SF", units: "V" },
    A: { offset: 44, type: "int16", sf: "A_SF", units: "A" },
    W: { offset: 47, type: "int16", sf: "W_SF", units: "W" },
    AHRtg_SF: { offset: 52, type: "sunssf" },
    WHRtg_SF: { offset: 53, type: "sunssf" },
    WChaDisChaMax_SF: { offset: 54, type: "sunssf" },
    DisChaRte_SF: { offset: 55, type: "sunssf" },
    SoC_SF: { offset: 56, type: "sunssf" },
    SoH_SF: { offset: 58, type: "sunssf" },
    V_SF: { offset: 59, type: "sunssf" },
    A_SF: { offset: 61, type: "sunssf" },
    W_SF: { offset: 63, type: "sunssf" },
  },
} as const satisfies ModelDef;

/** Meters, integer + scale factor: 201 single phase, 202 split phase, 203 wye, 204 delta (one layout). */
export const METER = {
  name: "meter",
  ids: [201, 202, 203, 204],
  length: 105,
  points: {
    A: { offset: 2, type: "int16", sf: "A_SF", units: "A" },
    AphA: { offset: 3, type: "int16", sf: "A_SF", units: "A" },
    AphB: { offset: 4, type: "int16", sf: "A_SF", units: "A" },
    AphC: { offset: 5, type: "int16", sf: "A_SF", units: "A" },
    A_SF: { offset: 6, type: "sunssf" },
    PhV: { offset: 7, type: "int16", sf: "V_SF", units: "V" },
    PhVphA: { offset: 8, type: "int16", sf: "V_SF", units: "V" },
    PhVphB: { offset: 9, type: "int16", sf: "V_SF", units: "V" },
    PhVphC: { offset: 10, type: "int16", sf: "V_SF", units: "V" },
    V_SF: { offset: 15, type: "sunssf" },
    Hz: { offset: 16, type: "int16", sf: "Hz_SF", units: "Hz" },
    Hz_SF: { offset: 17, type: "sunssf" },
    /** Positive: power flowing into the metered side (import). */
    W: { offset: 18, type: "int16", sf: "W_SF", units: "W" },
    WphA: { offset: 19, type: "int16", sf: "W_SF", units: "W" },
    WphB: { offset: 20, type: "int16", sf: "W_SF", units: "W" },
    WphC: { offset: 21, type: "int16", sf: "W_SF", units: "W" },
    W_SF: { offset: 22, type: "sunssf" },
    VA: { offset: 23, type: "int16", sf: "VA_SF", units: "VA" },
    VA_SF: { offset: 27, type: "sunssf" },
    VAR: { offset: 28, type: "int16", sf: "VAR_SF", units: "var" },
    VAR_SF: { offset: 32, type: "sunssf" },
    PF: { offset: 33, type: "int16", sf: "PF_SF", units: "%" },
    PF_SF: { offset: 37, type: "sunssf" },
    TotWhExp: { offset: 38, type: "acc32", sf: "TotWh_SF", units: "Wh" },
    TotWhImp: { offset: 46, type: "acc32", sf: "TotWh_SF", units: "Wh" },
    TotWh_SF: { offset: 54, type: "sunssf" },
    Evt: { offset: 105, type: "bitfield32" },
  },
} as const satisfies ModelDef;

/** Inverters, integer + scale factor: 101 single phase, 102 split phase, 103 three phase (one layout). */
export const INVERTER = {
  name: "inverter",
  ids: [101, 102, 103],
  length: 50,
  points: {
    A: { offset: 2, type: "uint16", sf: "A_SF", units: "A" },
    AphA: { offset: 3, type: "uint16", sf: "A_SF", units: "A" },
    AphB: { offset: 4, type: "uint16", sf: "A_SF", units: "A" },
    AphC: { offset: 5, type: "uint16", sf: "A_SF", units: "A" },
    A_SF: { offset: 6, type: "sunssf" },
    PhVphA: { offset: 10, type: "uint16", sf: "V_SF", units: "V" },
    PhVphB: { offset: 11, type: "uint16", sf: "V_SF", units: "V" },
    PhVphC: { offset: 12, type: "uint16", sf: "V_SF", units: "V" },
    V_SF: { offset: 13, type: "sunssf" },
    /** AC output, W: positive while producing. */
    W: { offset: 14, type: "int16", sf: "W_SF", units: "W" },
    W_SF: { offset: 15, type: "sunssf" },
    Hz: { offset: 16, type: "uint16", sf: "Hz_SF", units: "Hz" },
    Hz_SF: { offset: 17, type: "sunssf" },
    PF: { offset: 22, type: "int16", sf: "PF_SF", units: "%" },
    PF_SF: { offset: 23, type: "sunssf" },
    /** Lifetime AC energy produced. */
    WH: { offset: 24, type: "acc32", sf: "WH_SF", units: "Wh" },
    WH_SF: { offset: 26, type: "sunssf" },
    DCW: { offset: 31, type: "int16", sf: "DCW_SF", units: "W" },
    DCW_SF: { offset: 32, type: "sunssf" },
    TmpCab: { offset: 33, type: "int16", sf: "Tmp_SF", units: "C" },
    Tmp_SF: { offset: 37, type: "sunssf" },
    /** 1 OFF, 2 SLEEPING, 3 STARTING, 4 MPPT, 5 THROTTLED, 6 SHUTTING_DOWN, 7 FAULT, 8 STANDBY. */
    St: { offset: 38, type: "enum16" },
    Evt1: { offset: 40, type: "bitfield32" },
  },
} as const satisfies ModelDef;

/** Inverter nameplate ratings. */
export const NAMEPLATE = {
  name: "nameplate",
  ids: [120],
  length: 26,
  points: {
    /** 4 PV, 82 PV_STOR. */
    DERTyp: { offset: 2, type: "enum16" },
    /** Continuous AC output capability. */
    WRtg: { offset: 3, type: "uint16", sf: "WRtg_SF", units: "W" },
    WRtg_SF: { offset: 4, type: "sunssf" },
    VARtg: { offset: 5, type: "uint16", sf: "VARtg_SF", units: "VA" },
    VARtg_SF: { offset: 6, type: "sunssf" },
    ARtg: { offset: 12, type: "uint16", sf: "ARtg_SF", units: "A" },
    ARtg_SF: { offset: 13, type: "sunssf" },
  },
} as const satisfies ModelDef;

/** Immediate inverter controls: the active power limit (throttle) among them. */
export const CONTROLS = {
  name: "controls",
  ids: [123],
  length: 24,
  points: {
    /** 0 DISCONNECT, 1 CONNECT. */
    Conn: { offset: 4, type: "enum16", access: "RW" },
    /** Output limit, % of WMax (WRtg unless the settings model 121 says otherwise). */
    WMaxLimPct: { offset: 5, type: "uint16", sf: "WMaxLimPct_SF", units: "% WMax", access: "RW" },
    WMaxLimPct_WinTms: { offset: 6, type: "uint16", units: "s", access: "RW" },
    /** The limit lapses this long after it was set (0: never). */
    WMaxLimPct_RvrtTms: { offset: 7, type: "uint16", units: "s", access: "RW" },
    WMaxLimPct_RmpTms: { offset: 8, type: "uint16", units: "s", access: "RW" },
    /** 0 DISABLED, 1 ENABLED. */
    WMaxLim_Ena: { offset: 9, type: "enum16", access: "RW" },
    WMaxLimPct_SF: { offset: 23, type: "sunssf" },
  },
} as const satisfies ModelDef;

/** IEEE 1547-2018 DER AC controls: the active power limit part. */
export const DER_CONTROLS = {
  name: "DERCtlAC",
  ids: [704],
  length: 65,
  points: {
    /** 0 DISABLED, 1 ENABLED. */
    WMaxLimPctEna: { offset: 14, type: "enum16", access: "RW" },
    /** % of WMaxRtg. */
    WMaxLimPct: { offset: 15, type: "uint16", sf: "WMaxLimPct_SF", units: "%", access: "RW" },
    /** The limit and enable state the device falls back to when the revert timer runs out. */
    WMaxLimPctRvrt: { offset: 16, type: "uint16", sf: "WMaxLimPct_SF", units: "%", access: "RW" },
    WMaxLimPctEnaRvrt: { offset: 17, type: "enum16", access: "RW" },
    WMaxLimPctRvrtTms: { offset: 18, type: "uint32", units: "s", access: "RW" },
    WMaxLimPctRvrtRem: { offset: 20, type: "uint32", units: "s" },
    WMaxLimPct_SF: { offset: 54, type: "sunssf" },
  },
} as const satisfies ModelDef;

export const MODELS = [COMMON, STORAGE, BATTERY, METER, INVERTER, NAMEPLATE, CONTROLS, DER_CONTROLS] as const;

/** The table for a model id, if flexfed knows it. */
export function modelDef(id: number): ModelDef | undefined {
  return MODELS.find((m) => (m.ids as readonly number[]).includes(id));
}
