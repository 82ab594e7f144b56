// What an energy app is: a small module that turns the devices it sees (control spaces and
// measurements) into instructions. It never does I/O; the app runtime (runtime.ts) feeds it and
// carries out what it asks, so every app is unit-tested without a server.
import type { Element } from "ltx/lib/ltx.js";
import type { EfiInstruction } from "../efi/index.ts";
import type { SearchOperatorInput } from "../registry/operators.ts";
import type { DeviceView } from "./model.ts";
import type { TrackedInstruction } from "./tracker.ts";

/** An instruction as an app writes it: the runtime adds the header and a fresh instructionId. */
export type InstructionDraft = EfiInstruction extends infer I ? (I extends EfiInstruction ? Omit<I, "header" | "instructionId"> : never) : never;

export type AppAction =
  /**
   * Send `instruction` to device `rid`. `intent` names what it asks for (e.g. "charge 0.40"): the
   * runtime does not send it again while the device's latest instruction has the same intent and
   * has not failed, so an app may ask for the same thing on every plan.
   */
  | { type: "instruct"; rid: string; intent: string; instruction: InstructionDraft }
  /** Revoke the device's running instruction: it goes back to its own behaviour. */
  | { type: "revoke"; rid: string }
  /** Publish (replace) an item on a node of pubsub.<domain> the app publishes to (alarms/<site>). */
  | { type: "publish"; node: string; itemId: string; payload: Element }
  | { type: "retract"; node: string; itemId: string };

export interface PlanContext {
  now: Date;
  /** The devices found, sorted by rid. */
  devices: readonly DeviceView[];
  /** The latest instruction sent to each device, by rid. */
  instructions: ReadonlyMap<string, TrackedInstruction>;
  /** Items of the nodes the app follows (see EnergyApp.follow): node -> item id -> payload. */
  nodes: ReadonlyMap<string, ReadonlyMap<string, Element>>;
}

export interface EnergyApp {
  /** The component label: balancer -> balancer.<domain>. */
  readonly name: string;
  /** The registry search (AND-ed operators) for the devices this app works with. */
  readonly search: readonly SearchOperatorInput[];
  /** Nodes of pubsub.<domain> to read besides the devices' own (e.g. grid/<feeder>), from the devices seen. */
  follow?(devices: readonly DeviceView[]): string[];
  /** What to do now; called after every change the app sees (debounced) and every few seconds. */
  plan(ctx: PlanContext): AppAction[];
}
