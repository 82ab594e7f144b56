// The 21 global elements of the EFI 2.0 XSD, their schemas and their TypeScript types.
import { z } from "zod";
import * as adjustable from "./adjustable.ts";
import * as common from "./common-messages.ts";
import * as inflexible from "./inflexible.ts";
import * as shiftable from "./shiftable.ts";
import * as storage from "./storage.ts";

export const MESSAGES = {
  InstructionStatusUpdate: common.InstructionStatusUpdate,
  FlexibilityRevoke: common.FlexibilityRevoke,
  InstructionRevoke: common.InstructionRevoke,
  Measurement: common.Measurement,
  InflexibleRegistration: inflexible.InflexibleRegistration,
  InflexibleForecast: inflexible.InflexibleForecast,
  InflexibleCurtailmentOptions: inflexible.InflexibleCurtailmentOptions,
  InflexibleInstruction: inflexible.InflexibleInstruction,
  ShiftableRegistration: shiftable.ShiftableRegistration,
  ShiftableUpdate: shiftable.ShiftableUpdate,
  ShiftableInstruction: shiftable.ShiftableInstruction,
  StorageRegistration: storage.StorageRegistration,
  StorageSystemDescription: storage.StorageSystemDescription,
  StorageStatus: storage.StorageStatus,
  StorageFillLevelTargetProfile: storage.StorageFillLevelTargetProfile,
  StorageUsageForecast: storage.StorageUsageForecast,
  StorageInstruction: storage.StorageInstruction,
  AdjustableRegistration: adjustable.AdjustableRegistration,
  AdjustableSystemDescription: adjustable.AdjustableSystemDescription,
  AdjustableStatus: adjustable.AdjustableStatus,
  AdjustableInstruction: adjustable.AdjustableInstruction,
} as const;

export type MessageKind = keyof typeof MESSAGES;
export const MESSAGE_KINDS = Object.keys(MESSAGES) as MessageKind[];

export function isMessageKind(name: string): name is MessageKind {
  return Object.hasOwn(MESSAGES, name);
}

type Schemas = { [K in MessageKind]: (typeof MESSAGES)[K]["schema"] };
const schemas = Object.values(MESSAGES).map((m) => m.schema) as unknown as [Schemas[MessageKind], ...Schemas[MessageKind][]];

/** Any EFI message, discriminated by `kind` (the element's local name). */
export const EfiMessageSchema = z.discriminatedUnion("kind", schemas);
export type EfiMessage = z.infer<typeof EfiMessageSchema>;
export type EfiMessageOf<K extends MessageKind> = Extract<EfiMessage, { kind: K }>;

export const InstructionStatusUpdateSchema = common.InstructionStatusUpdate.schema;
export const FlexibilityRevokeSchema = common.FlexibilityRevoke.schema;
export const InstructionRevokeSchema = common.InstructionRevoke.schema;
export const MeasurementSchema = common.Measurement.schema;
export const InflexibleRegistrationSchema = inflexible.InflexibleRegistration.schema;
export const InflexibleForecastSchema = inflexible.InflexibleForecast.schema;
export const InflexibleCurtailmentOptionsSchema = inflexible.InflexibleCurtailmentOptions.schema;
export const InflexibleInstructionSchema = inflexible.InflexibleInstruction.schema;
export const ShiftableRegistrationSchema = shiftable.ShiftableRegistration.schema;
export const ShiftableUpdateSchema = shiftable.ShiftableUpdate.schema;
export const ShiftableInstructionSchema = shiftable.ShiftableInstruction.schema;
export const StorageRegistrationSchema = storage.StorageRegistration.schema;
export const StorageSystemDescriptionSchema = storage.StorageSystemDescription.schema;
export const StorageStatusSchema = storage.StorageStatus.schema;
export const StorageFillLevelTargetProfileSchema = storage.StorageFillLevelTargetProfile.schema;
export const StorageUsageForecastSchema = storage.StorageUsageForecast.schema;
export const StorageInstructionSchema = storage.StorageInstruction.schema;
export const AdjustableRegistrationSchema = adjustable.AdjustableRegistration.schema;
export const AdjustableSystemDescriptionSchema = adjustable.AdjustableSystemDescription.schema;
export const AdjustableStatusSchema = adjustable.AdjustableStatus.schema;
export const AdjustableInstructionSchema = adjustable.AdjustableInstruction.schema;

export type InstructionStatusUpdate = EfiMessageOf<"InstructionStatusUpdate">;
export type FlexibilityRevoke = EfiMessageOf<"FlexibilityRevoke">;
export type InstructionRevoke = EfiMessageOf<"InstructionRevoke">;
export type Measurement = EfiMessageOf<"Measurement">;
export type InflexibleRegistration = EfiMessageOf<"InflexibleRegistration">;
export type InflexibleForecast = EfiMessageOf<"InflexibleForecast">;
export type InflexibleCurtailmentOptions = EfiMessageOf<"InflexibleCurtailmentOptions">;
export type InflexibleInstruction = EfiMessageOf<"InflexibleInstruction">;
export type ShiftableRegistration = EfiMessageOf<"ShiftableRegistration">;
export type ShiftableUpdate = EfiMessageOf<"ShiftableUpdate">;
export type ShiftableInstruction = EfiMessageOf<"ShiftableInstruction">;
export type StorageRegistration = EfiMessageOf<"StorageRegistration">;
export type StorageSystemDescription = EfiMessageOf<"StorageSystemDescription">;
export type StorageStatus = EfiMessageOf<"StorageStatus">;
export type StorageFillLevelTargetProfile = EfiMessageOf<"StorageFillLevelTargetProfile">;
export type StorageUsageForecast = EfiMessageOf<"StorageUsageForecast">;
export type StorageInstruction = EfiMessageOf<"StorageInstruction">;
export type AdjustableRegistration = EfiMessageOf<"AdjustableRegistration">;
export type AdjustableSystemDescription = EfiMessageOf<"AdjustableSystemDescription">;
export type AdjustableStatus = EfiMessageOf<"AdjustableStatus">;
export type AdjustableInstruction = EfiMessageOf<"AdjustableInstruction">;

export type EfiInstruction = StorageInstruction | AdjustableInstruction | ShiftableInstruction | InflexibleInstruction;
export type EfiRegistration = InflexibleRegistration | ShiftableRegistration | StorageRegistration | AdjustableRegistration;
