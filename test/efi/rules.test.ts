// One invalid case per cross-field rule of the schemas, with the path the issue must carry.
import { describe, expect, it } from "vitest";
import { decode, encode, EfiDecodeError } from "../../src/efi/index.ts";
import { example, issuesOf } from "./fixtures.ts";

const AB = "StorageSystemDescription/actuatorBehaviours/actuatorBehaviour[0]";

function storage() {
  const sd = example("StorageSystemDescription");
  const b = sd.actuatorBehaviours[0]!;
  const charge = b.runningModes[0]!;
  if (charge.type !== "continuous") throw new Error("example changed");
  return { sd, b, charge };
}

describe("storage system description rules", () => {
  it("running-mode ids are unique", () => {
    const { sd, b } = storage();
    b.runningModes[1]!.id = 0;
    // Transitions to the renumbered mode no longer resolve either.
    expect(issuesOf(sd)[0]).toBe(`${AB}/runningModes/discreteRunningMode[1]/@id: duplicate running mode id 0`);
  });

  it("timer ids are unique", () => {
    const { sd, b } = storage();
    b.timers![1]!.id = 0;
    expect(issuesOf(sd)[0]).toBe(`${AB}/timers/timer[1]/@id: duplicate timer id 0`);
  });

  it("actuator ids are unique", () => {
    const { sd, b } = storage();
    sd.actuatorBehaviours.push(structuredClone(b));
    expect(issuesOf(sd)).toEqual(["StorageSystemDescription/actuatorBehaviours/actuatorBehaviour[1]/@actuatorId: duplicate actuatorId 0"]);
  });

  it("transitions name existing running modes", () => {
    const { sd, b } = storage();
    b.transitions[0]!.toRunningModeId = 7;
    expect(issuesOf(sd)).toEqual([`${AB}/transitions/transition[0]/@toRunningModeId: no running mode 7`]);
  });

  it("timer references resolve", () => {
    const { sd, b } = storage();
    b.transitions[0]!.startTimers![0]!.timerId = 9;
    expect(issuesOf(sd)).toEqual([`${AB}/transitions/transition[0]/startTimers/timerReference[0]/@timerId: no timer 9`]);
  });

  it("a transition is given once", () => {
    const { sd, b } = storage();
    b.transitions.push(structuredClone(b.transitions[0]!));
    expect(issuesOf(sd)).toEqual([`${AB}/transitions/transition[4]: duplicate transition from 0 to 1`]);
  });

  it("every fill-level range has lower <= upper", () => {
    const { sd, charge } = storage();
    charge.continuousRunningModeElement[1]!.fillLevelLowerBound = 100;
    charge.continuousRunningModeElement[1]!.fillLevelUpperBound = 90;
    expect(issuesOf(sd)).toContain(
      `${AB}/runningModes/continuousRunningMode[0]/continuousRunningModeElement[1]/@fillLevelLowerBound: fillLevelLowerBound 100 is above fillLevelUpperBound 90`,
    );
  });

  it("fill-level elements are ascending and contiguous", () => {
    const { sd, charge } = storage();
    charge.continuousRunningModeElement[1]!.fillLevelLowerBound = 95;
    expect(issuesOf(sd)).toEqual([
      `${AB}/runningModes/continuousRunningMode[0]/continuousRunningModeElement[1]/@fillLevelLowerBound: must equal the previous element's fillLevelUpperBound 90 (elements are ascending and contiguous)`,
    ]);
    const { sd: sd2 } = storage();
    sd2.leakageBehaviour!.push({ fillLevelLowerBound: 0, fillLevelUpperBound: 50, leakageRate: 0 });
    expect(issuesOf(sd2)).toEqual([
      "StorageSystemDescription/leakageBehaviour/leakageElement[1]/@fillLevelLowerBound: must equal the previous element's fillLevelUpperBound 100 (elements are ascending and contiguous)",
    ]);
  });

  it("both bounds of a continuous element give the same quantities", () => {
    const { sd, charge } = storage();
    delete charge.continuousRunningModeElement[0]!.upperBound.electricalPower;
    expect(issuesOf(sd)).toEqual([
      `${AB}/runningModes/continuousRunningMode[0]/continuousRunningModeElement[0]/upperBound: electricalPower is given in lowerBound but not in upperBound`,
    ]);
  });

  it("decode reports rule violations with the same paths", () => {
    const { sd, b } = storage();
    b.transitions[0]!.toRunningModeId = 7;
    const xml = encode({ ...sd, actuatorBehaviours: [{ ...b, transitions: [b.transitions[1]!] }] }).replace('efi:toRunningModeId="0"', 'efi:toRunningModeId="7"');
    expect(() => decode(xml)).toThrow(EfiDecodeError);
    expect(() => decode(xml)).toThrow(`${AB}/transitions/transition[0]/@toRunningModeId: no running mode 7`);
  });
});

describe("other message rules", () => {
  it("adjustable transitions name existing modes and timers", () => {
    const sd = example("AdjustableSystemDescription");
    sd.transitions[1]!.fromRunningModeId = 4;
    sd.transitions[1]!.blockingTimers![0]!.timerId = 3;
    expect(issuesOf(sd)).toEqual([
      "AdjustableSystemDescription/transitions/transition[1]/@fromRunningModeId: no running mode 4",
      "AdjustableSystemDescription/transitions/transition[1]/blockingTimers/timerReference[0]/@timerId: no timer 3",
    ]);
  });

  it("registrations and statuses have unique actuator and timer ids", () => {
    const reg = example("StorageRegistration");
    reg.actuators.push({ ...reg.actuators[0]! });
    expect(issuesOf(reg)).toEqual(["StorageRegistration/actuators/actuator[1]/@id: duplicate actuator id 0"]);
    const st = example("StorageStatus");
    st.actuatorStatuses![0]!.timerUpdates!.push({ timerId: 1, finishedAt: "2025-06-01T12:07:00Z" });
    expect(issuesOf(st)).toEqual(["StorageStatus/actuatorStatuses/actuatorStatus[0]/timerUpdates/timerUpdate[1]/@timerId: duplicate timerId 1"]);
    const ast = example("AdjustableStatus");
    ast.timerUpdates.push({ ...ast.timerUpdates[0]! });
    expect(issuesOf(ast)).toEqual(["AdjustableStatus/timerUpdates/timerUpdate[1]/@timerId: duplicate timerId 1"]);
  });

  it("ranges are well ordered: curtailment, target profile, prediction ranges", () => {
    const co = example("InflexibleCurtailmentOptions");
    co.curtailmentOptions![0]!.curtailmentRange[0] = { lowerBound: 10, upperBound: -10 };
    expect(issuesOf(co)).toEqual([
      "InflexibleCurtailmentOptions/curtailmentOptions/curtailmentOption[0]/curtailmentRange[0]/@lowerBound: lowerBound 10 is above upperBound -10",
    ]);
    const tp = example("StorageFillLevelTargetProfile");
    tp.targetProfile[1]!.fillLevelLowerBound = 101;
    expect(issuesOf(tp)).toEqual(["StorageFillLevelTargetProfile/targetProfile/element[1]/@fillLevelLowerBound: fillLevelLowerBound 101 is above fillLevelUpperBound 100"]);
    const fc = example("InflexibleForecast");
    fc.forecastProfiles.electricityProbabilityProfile![2]!.the95PPRLower = -2000;
    expect(issuesOf(fc)).toEqual([
      "InflexibleForecast/forecastProfiles/electricityProbabilityProfile/powerElement[2]/@the95PPRLower: the95PPRLower -2000 is above the68PPRLower -2600",
    ]);
  });

  it("a commodity has one profile kind, a usage forecast exactly one, a measurement at least one value", () => {
    const fc = example("InflexibleForecast");
    fc.forecastProfiles.electricityProfile = [{ duration: "PT1H", power: -3000 }];
    expect(issuesOf(fc)).toEqual([
      "InflexibleForecast/forecastProfiles/electricityProbabilityProfile: a electricity profile is given twice: electricityProfile and electricityProbabilityProfile (choose one)",
    ]);
    const uf = example("StorageUsageForecast");
    uf.usageForecast = {};
    expect(issuesOf(uf)).toEqual(["StorageUsageForecast/usageForecast: needs exactly one of usageProfile, usageProbabilityProfile (has 0)"]);
    const m = example("Measurement");
    delete m.electricityMeasurement;
    expect(issuesOf(m)).toEqual(["Measurement: needs at least one of electricityMeasurement, gasMeasurement, heatMeasurement"]);
  });

  it("shiftable numbers are unique and the window is well ordered", () => {
    const u = example("ShiftableUpdate");
    u.endBefore = "2025-06-01T19:00:00Z";
    u.sequentialProfiles[1]!.sequenceNr = 0;
    u.sequentialProfiles[0]!.sequentialProfileAlternatives[1]!.alternativeNr = 0;
    expect(issuesOf(u)).toEqual([
      "ShiftableUpdate/sequentialProfiles/sequentialProfile[0]/sequentialProfileAlternatives/sequentialProfileAlternative[1]/@alternativeNr: duplicate alternativeNr 0",
      "ShiftableUpdate/endBefore: endBefore 2025-06-01T19:00:00Z is before validFrom 2025-06-01T19:30:00Z",
      "ShiftableUpdate/sequentialProfiles/sequentialProfile[1]/@sequenceNr: duplicate sequenceNr 0",
    ]);
    const i = example("ShiftableInstruction");
    i.sequentialProfileInstructions[1]!.sequenceNr = 0;
    expect(issuesOf(i)).toEqual(["ShiftableInstruction/sequentialProfileInstructions/sequentialProfileInstruction[1]/sequenceNr: duplicate sequenceNr 0"]);
  });
});
