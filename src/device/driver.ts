// The driver contract (FPAI layering): protocol adapter (I/O only) -> driver state -> mapping to
// one EFI category. A driver talks to its device and describes it in EFI; it never sees XMPP.
// The device runtime (src/device/runtime.ts) hosts one driver and is the device on XMPP.
import type { z } from "zod";
import { isMessageKind, MESSAGE_KINDS, type EfiMessage, type InflexibleInstruction, type MessageKind } from "../efi/index.ts";
import type { Logger } from "../log/index.ts";
import type { Reading } from "../telemetry/index.ts";

export type EfiCategory = "inflexible" | "shiftable" | "storage" | "adjustable";

const CATEGORY_PREFIX: Record<EfiCategory, string> = { inflexible: "Inflexible", shiftable: "Shiftable", storage: "Storage", adjustable: "Adjustable" };

/**
 * The category an item id (an EFI element's local name) belongs to; undefined for what every
 * category shares (Measurement, FlexibilityRevoke, InstructionStatusUpdate) and for other ids.
 */
export function categoryOf(kind: string): EfiCategory | undefined {
  if (!isMessageKind(kind)) return undefined;
  return (Object.keys(CATEGORY_PREFIX) as EfiCategory[]).find((c) => kind.startsWith(CATEGORY_PREFIX[c]));
}

/** The category the last registration among `messages` announces, if there is one. */
export function registeredCategory(messages: readonly EfiMessage[]): EfiCategory | undefined {
  const registration = messages.findLast((m) => m.kind.endsWith("Registration"));
  return registration && categoryOf(registration.kind);
}

/** The message kinds of a category. */
export const kindsOf = (category: EfiCategory): MessageKind[] => MESSAGE_KINDS.filter((k) => categoryOf(k) === category);

export type CurtailmentQuantity = InflexibleInstruction["curtailmentProfile"]["curtailmentQuantity"];

/**
 * One step of an accepted instruction, applied by the runtime at the step's start time.
 * Shiftable: start this alternative of this sequence. Inflexible: from now on cap `quantity` at
 * `cap` (EFI's sign: positive caps consumption, negative caps production); no cap: lift it.
 */
export type ControlStep =
  | { category: "storage"; actuatorId: number; runningModeId: number; factor?: number }
  | { category: "adjustable"; runningModeId: number; factor?: number }
  | { category: "shiftable"; sequenceNr: number; alternativeNr: number }
  | { category: "inflexible"; quantity: CurtailmentQuantity; cap?: number };

/** Registry tags a driver learns from its device (XEP-0347 names: MAN, MODEL, SN, CLASS, PMAX, CAP ...). */
export type DeviceTags = Record<string, string | number>;

/** What a driver reports; the runtime turns it into registry updates, pubsub items and presence. */
export interface DriverSink {
  /** Tags read from the device (nameplate): the runtime registers or updates them. */
  identity(tags: DeviceTags): void;
  /**
   * Complete EFI messages (header included) that replace the published ones of the same kind:
   * registration, system description, status, forecasts, Measurement. A registration of another
   * category than the device's current one changes the device's category: everything published
   * for the old one is withdrawn.
   */
  controlSpace(messages: readonly EfiMessage[]): void;
  /** Withdraws published messages of these kinds: what they offered holds no more (a program that started). */
  retract(kinds: readonly MessageKind[]): void;
  /** One sample of measurements, taken at `time`. */
  telemetry(readings: readonly Reading[], time: Date): void;
  /** The device stopped answering (or refuses): why, in words a user can act on. Called once per loss. */
  lost(reason: string): void;
  /** The device answers again after lost(); the driver then reports its control space anew. */
  recovered(): void;
}

/** A driver refused or failed to apply a step: the message says why (it reaches the app). */
export class DriverError extends Error {
  override name = "DriverError";
}

export interface DeviceDriver {
  /** The category before the driver's first registration; afterwards its latest registration's. */
  readonly category: EfiCategory;
  /**
   * Starts talking to the device and reporting to `sink`. Resolves once started; a device that
   * is not reachable yet is reported with sink.lost() and retried, never thrown.
   */
  start(sink: DriverSink): Promise<void>;
  /** Stops polling and closes the connection to the device. */
  stop(): Promise<void>;
  /** Applies one step now; rejects with a DriverError when the device refuses or is unreachable. */
  apply(step: ControlStep): Promise<void>;
  /** No instruction holds any more: hands control back to the device's own behaviour. */
  release(): Promise<void>;
}

export interface DriverContext {
  /** The EFI resource id: the device's account name and the efiResourceId in every header. */
  resourceId: string;
  log: Logger;
  /** Wall clock, replaceable in tests. */
  now(): Date;
}

/**
 * A device family (drivers/<family>/): its configuration schema and how to make a driver from a
 * parsed configuration. Configuration files are checked against `config` at the boundary.
 */
export interface DriverFamily<S extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly config: S;
  /** Settings of a typical device (without `type`), shown as a hint when a configuration is wrong. */
  readonly example?: Record<string, unknown>;
  create(config: z.infer<S>, ctx: DriverContext): DeviceDriver;
  /**
   * Starts a simulator of this family that speaks the real protocol, for a simulated site; its
   * `settings` (a port, a path) are merged into the device's driver configuration.
   */
  simulate?(resourceId: string, options: Record<string, unknown>, env: SimulationEnv): Promise<Simulation>;
}

/** The world the simulators of one site share. */
export interface SimulationEnv {
  /**
   * Scenario time, epoch ms: it may run faster than the wall clock (a simulated day in minutes).
   * Simulators use it for their environment and physics (sun, household load, state of charge,
   * temperatures); what they exchange with drivers as timestamps stays on the wall clock.
   */
  now(): number;
  /** The power of the site's other simulated devices now, W (consumption positive): what a meter at the connection adds up. */
  siteW(): number;
}

export interface Simulation {
  settings: Record<string, unknown>;
  /** Where it is reached, for people: "Modbus TCP 127.0.0.1:40123". */
  where: string;
  /**
   * The simulated device's own power now, W (consumption positive): a connection meter adds up its
   * site's others, and the site's net power is the sum of all.
   */
  powerW?(): number;
  stop(): Promise<void>;
}
