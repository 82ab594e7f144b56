// The public API of flexfed's EFI 2.0 model.
export { EFI_NS, EFI_PREFIX } from "./namespaces.ts";
export { EfiError, EfiDecodeError, EfiEncodeError, type EfiIssue } from "./errors.ts";
export { decode } from "./codec/decode.ts";
export { encode, encodeElement, type EncodeOptions } from "./codec/encode.ts";
export * from "./model/messages.ts";
export type * from "./model/types.ts";
export { checkInstruction, checkStatus, contextOf, type EfiContext, type LatestLookup } from "./check.ts";
export { parseDuration, formatDuration, parseDateTime, formatDateTime } from "./duration.ts";
export { interpolate, factorForPower, elementAt, storageModeValues, adjustableModeValues, type Bounds, type ModeValues } from "./interpolate.ts";
export { reachableRunningModes, findTransition, blockingTimers, startTimers, timerState, type Behaviour, type TimerState } from "./reachable.ts";
export { fillLevelAfter, fillRate, type ActuatorSetting, type FillStep } from "./fill.ts";
export {
  toProfile, fromProfile, sampleProfile, shiftProfile, sumProfiles, profileEnd, profileDurationMs, type Profile, type ProfileStep,
} from "./profile.ts";
