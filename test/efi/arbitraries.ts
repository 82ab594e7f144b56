// fast-check arbitraries derived from the same structure description as the schemas, plus a
// repair step that makes a generated message meet the cross-field rules (ids unique, references
// resolving, ranges ordered and contiguous, choices made).
import fc from "fast-check";
import type { Item, NodeShape } from "../../src/efi/model/dsl.ts";
import { MESSAGES, type EfiMessage, type MessageKind } from "../../src/efi/model/messages.ts";
import * as s from "../../src/efi/model/scalars.ts";
import { formatDuration } from "../../src/efi/duration.ts";

const finite = fc.double({ noNaN: true, noDefaultInfinity: true });
const offsets = ["Z", "+00:00", "+02:00", "-05:30"];

const SCALARS = new Map<s.Scalar<any>, fc.Arbitrary<unknown>>([
  [s.int, fc.integer({ min: -2147483648, max: 2147483647 })],
  [s.double, finite],
  // Decimals are kept to values whose plain notation stays within 24 digits.
  [s.decimal, fc.oneof(fc.integer({ min: -1e12, max: 1e12 }).map((n) => n / 1e6), fc.integer({ min: 0, max: 99 }).map((n) => n / 1e12))],
  [s.factor, fc.double({ min: 0, max: 1, noNaN: true })],
  [s.boolean, fc.boolean()],
  [s.string, fc.string({ unit: "binary", maxLength: 12 }).filter((x) => s.string.valid(x))],
  [s.identifier, fc.stringMatching(/^[a-zA-Z0-9\-_:]{2,64}$/)],
  [s.duration, fc.nat({ max: 10 * 86_400_000 }).map(formatDuration)],
  [
    s.dateTime,
    fc
      .tuple(fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("2200-01-01T00:00:00Z"), noInvalidDate: true }), fc.constantFrom(...offsets), fc.boolean())
      .map(([d, offset, ms]) => d.toISOString().replace(ms ? "Z" : /\.\d+Z$/, offset)),
  ],
]);

function scalarArb(scalar: s.Scalar<unknown>): fc.Arbitrary<unknown> {
  const known = SCALARS.get(scalar);
  if (known) return known;
  const options = (scalar.schema as unknown as { options?: string[] }).options;
  if (!options) throw new Error(`no arbitrary for ${scalar.xsd}`);
  return fc.constantFrom(...options);
}

const cache = new Map<NodeShape, fc.Arbitrary<Record<string, unknown>>>();

function itemArb(item: Item): fc.Arbitrary<unknown> {
  return "node" in item ? nodeArb(item.node) : scalarArb(item.scalar);
}

export function nodeArb(shape: NodeShape): fc.Arbitrary<Record<string, unknown>> {
  const hit = cache.get(shape);
  if (hit) return hit;
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  const required: string[] = [];
  for (const f of shape.fields) {
    const x = f.xml;
    if (!x.optional) required.push(f.key);
    if (x.kind === "tag") model[f.key] = fc.constant(x.value);
    else if (x.kind === "attr") model[f.key] = scalarArb(x.scalar);
    else if (x.kind === "elem") model[f.key] = itemArb(x.item);
    else if (x.kind === "list") model[f.key] = fc.array(itemArb(x.item), { minLength: x.min, maxLength: x.min + 2 });
    else model[f.key] = fc.array(fc.oneof(...x.variants.map((v) => nodeArb(v.node))), { minLength: x.min, maxLength: x.min + 2 });
  }
  const arb = fc.record(model, { requiredKeys: required });
  cache.set(shape, arb);
  return arb;
}

export const messageArb = (kind: MessageKind) => nodeArb(MESSAGES[kind].shape) as unknown as fc.Arbitrary<EfiMessage>;

type Obj = Record<string, any>;
const renumber = (items: Obj[] | undefined, key: string) => items?.forEach((it, i) => (it[key] = i));
const QUANTITIES = ["fillingRate", "runningCost", "electricalPower", "gasFlowRate", "heatTemperature", "heatFlowRate", "heatThermalPower"];

function repairNode(o: Obj): void {
  renumber(o.actuatorBehaviours, "actuatorId");
  renumber(o.actuatorStatuses, "actuatorId");
  renumber(o.actuators, "id");
  renumber(o.timerUpdates, "timerId");
  renumber(o.sequentialProfiles, "sequenceNr");
  renumber(o.sequentialProfileAlternatives, "alternativeNr");
  renumber(o.sequentialProfileInstructions, "sequenceNr");
  if (o.runningModes && o.transitions) {
    renumber(o.runningModes, "id");
    renumber(o.timers, "id");
    const n = o.runningModes.length;
    const seen = new Set<string>();
    o.transitions = o.transitions.filter((t: Obj) => {
      t.fromRunningModeId = Math.abs(t.fromRunningModeId) % n;
      t.toRunningModeId = Math.abs(t.toRunningModeId) % n;
      const pair = `${t.fromRunningModeId}>${t.toRunningModeId}`;
      if (seen.has(pair)) return false;
      seen.add(pair);
      for (const k of ["startTimers", "blockingTimers"]) {
        if (!t[k]) continue;
        if (!o.timers?.length) delete t[k];
        else for (const r of t[k]) r.timerId = Math.abs(r.timerId) % o.timers.length;
      }
      return true;
    });
  }
  for (const k of ["discreteRunningModeElement", "continuousRunningModeElement", "leakageBehaviour"]) {
    o[k]?.forEach((e: Obj, i: number) => {
      e.fillLevelLowerBound = i * 10;
      e.fillLevelUpperBound = i * 10 + 10;
    });
  }
  if (typeof o.lowerBound === "object" && typeof o.upperBound === "object") {
    for (const q of QUANTITIES) {
      if (o.lowerBound[q] === undefined) delete o.upperBound[q];
      else if (o.upperBound[q] === undefined) o.upperBound[q] = o.lowerBound[q];
    }
  }
  const swap = (lo: string, hi: string) => {
    if (typeof o[lo] === "number" && o[lo] > o[hi]) [o[lo], o[hi]] = [o[hi], o[lo]];
  };
  swap("lowerBound", "upperBound");
  swap("fillLevelLowerBound", "fillLevelUpperBound");
  if (typeof o.the95PPRLower === "number") {
    [o.the95PPRLower, o.the68PPRLower, o.the68PPRUpper, o.the95PPRUpper] = [o.the95PPRLower, o.the68PPRLower, o.the68PPRUpper, o.the95PPRUpper].sort((a, b) => a - b);
  }
  for (const c of ["electricity", "gas", "heat"]) if (o[`${c}Profile`] && o[`${c}ProbabilityProfile`]) delete o[`${c}ProbabilityProfile`];
  if (o.kind === "StorageUsageForecast") {
    const f = o.usageForecast;
    if (f.usageProfile) delete f.usageProbabilityProfile;
    else if (!f.usageProbabilityProfile) f.usageProfile = [{ duration: "PT1H", usageRate: 0 }];
  }
  if (o.kind === "Measurement" && !o.electricityMeasurement && !o.gasMeasurement && !o.heatMeasurement) o.electricityMeasurement = { power: 0 };
  if (o.kind === "ShiftableUpdate" && Date.parse(o.endBefore) < Date.parse(o.validFrom)) [o.endBefore, o.validFrom] = [o.validFrom, o.endBefore];
  for (const v of Object.values(o)) {
    if (Array.isArray(v)) v.forEach((x) => typeof x === "object" && repairNode(x));
    else if (typeof v === "object" && v !== null) repairNode(v);
  }
}

/** A copy of `m` that meets the cross-field rules. */
export function repair<M extends EfiMessage>(m: M): M {
  const copy = structuredClone(m);
  repairNode(copy as Obj);
  return copy;
}

export const validMessageArb = (kind: MessageKind) => messageArb(kind).map(repair);
