// The demand-response app (SUNSEED): the grid operator publishes congestion signals on
// grid/<feeder>; while one is in force and the feeder's total flow in its direction is above its
// limit, the app asks the feeder's flexible devices for the difference, each in proportion to how
// much it can give, so no home carries more than its share. When no signal of that direction is in
// force any more it revokes what it asked: the devices return to their own behaviour.
import { acceptable, choose, draft, flexibilityOf, intentOf, type Flexibility, type ModeChoice } from "../../src/app/flexibility.ts";
import type { DeviceView } from "../../src/app/model.ts";
import type { AppAction, EnergyApp, PlanContext } from "../../src/app/types.ts";
import { DemandResponseConfigSchema, type DemandResponseConfig } from "./config.ts";
import { feederTotal, holds, unsettled } from "./feeder.ts";
import { active, directionOf, parseCongestion, type Congestion, type Direction } from "./signal.ts";

const power = (d: DeviceView) => d.sample("power")?.v ?? 0;
/** Import counts positive, export negative: `SIGN[direction] * power` is the flow a limit bounds. */
const SIGN: Record<Direction, 1 | -1> = { import: 1, export: -1 };

/** The signals on a feeder's node that parse; a bad item is skipped (the operator's mistake is not the feeder's). */
export function signals(ctx: PlanContext, feeder: string): Congestion[] {
  return [...(ctx.nodes.get(`grid/${feeder}`)?.values() ?? [])].flatMap((el) => {
    try {
      const c = parseCongestion(el);
      return c.feeder === feeder ? [c] : [];
    } catch {
      return [];
    }
  });
}

export function demandResponse(input: unknown = {}): EnergyApp {
  const cfg: DemandResponseConfig = DemandResponseConfigSchema.parse(input);
  const feedersOf = (devices: readonly DeviceView[]) =>
    cfg.feeders ?? [...new Set(devices.flatMap((d) => (typeof d.tags.FEEDER === "string" ? [d.tags.FEEDER] : [])))].sort();
  return {
    name: "dr",
    search: cfg.feeders?.length === 1 ? [{ op: "strEq", name: "FEEDER", value: cfg.feeders[0]! }] : [{ op: "strMask", name: "FEEDER", value: "*", wildcard: "*" }],
    follow: (devices) => feedersOf(devices).map((f) => `grid/${f}`),
    plan: (ctx) => feedersOf(ctx.devices).flatMap((f) => planFeeder(cfg, ctx, f)),
  };
}

/** The intent names the direction it serves ("dr import discharge 0.35"), so it is handed back when that ends. */
const intentFor = (dir: Direction, f: Flexibility, c: ModeChoice) => `dr ${dir} ${intentOf(f, c)}`;
const servedBy = (intent: string) => intent.split(" ")[1] as Direction;

export function planFeeder(cfg: DemandResponseConfig, ctx: PlanContext, feeder: string): AppAction[] {
  const now = ctx.now.getTime();
  const devices = ctx.devices.filter((d) => d.tags.FEEDER === feeder);
  const inForce = signals(ctx, feeder).filter((c) => active(c, now));
  // The tightest signal of each direction in force.
  const tightest = new Map<Direction, Congestion>();
  for (const c of inForce) if (c.limit < (tightest.get(directionOf(c))?.limit ?? Infinity)) tightest.set(directionOf(c), c);

  // Hand back what no signal asks for any more; plan again once the devices have moved.
  const done = devices.filter((d) => { const t = ctx.instructions.get(d.rid); return holds(t) && !tightest.has(servedBy(t.intent)); });
  if (done.length) return done.map((d) => ({ type: "revoke", rid: d.rid }));
  if (!tightest.size || unsettled(devices, ctx.instructions, now).length) return [];

  // At most one direction can be over its limit; it is brought to the headroom under it, so the
  // next small rise does not ask again. Under it, what the app asked holds (asking less would bring the peak back).
  const total = feederTotal(devices);
  const over = [...tightest].find(([dir, c]) => SIGN[dir] * total > c.limit);
  if (!over) return [];
  const [dir, c] = over;
  return share(ctx, devices, dir, SIGN[dir] * total - c.limit * (1 - cfg.headroom));
}

/**
 * Asks the devices for `excess` W less flow in `dir`, each in proportion to what it can give: how
 * far its power can move that way from where it is now (a 5 kW battery gives twice what a 2.5 kW
 * one does; a full one that can only idle gives nothing). A device provisioning does not let the
 * app control (its instruction was `forbidden`) takes no share, so the others cover it.
 */
function share(ctx: PlanContext, devices: readonly DeviceView[], dir: Direction, excess: number): AppAction[] {
  const now = ctx.now.getTime(), sign = SIGN[dir];
  const refused = (rid: string) => { const t = ctx.instructions.get(rid); return t?.state === "FAILED" && /^forbidden/.test(t.info ?? ""); };
  const flexible = devices.flatMap((d) => {
    const f = refused(d.rid) ? undefined : flexibilityOf(d, now);
    if (!f?.options.length) return [];
    // The furthest its power can move against the flow: the least it can draw (import), the most (export).
    const furthest = sign > 0 ? Math.min(...f.options.map((o) => o.minW)) : Math.max(...f.options.map((o) => o.maxW));
    const give = sign * (power(d) - furthest);
    return give > 0 ? [{ d, f, give }] : [];
  });
  const canGive = flexible.reduce((w, x) => w + x.give, 0);
  return flexible.flatMap(({ d, f, give }): AppAction[] => {
    const target = power(d) - sign * (Math.min(excess, canGive) * give) / canGive;
    // The power nearest the target that does not fall short of it: the shares add up to the excess.
    const chosen = choose(f, target, sign > 0 ? "most" : "least");
    if (!chosen) return [];
    const c = noShort(f, chosen, target, sign);
    const instruction = draft(f, c, ctx.now);
    return acceptable(d, instruction, ctx.now) ? [{ type: "instruct", rid: d.rid, intent: intentFor(dir, f, c), instruction }] : [];
  });
}

/**
 * choose() rounds a factor to the nearest 0.05, which can leave a device up to half a step short of
 * its share; with many devices that adds up past the headroom. One step further gives at least the share.
 */
function noShort(f: Flexibility, c: ModeChoice, target: number, sign: 1 | -1): ModeChoice {
  const o = f.options.find((x) => x.modeId === c.modeId);
  if (!o || c.factor === undefined || sign * (c.powerW - target) <= 1) return c;
  const factor = Number((c.factor - 0.05 * Math.sign(sign * (o.w1 - o.w0))).toFixed(2));
  return factor < 0 || factor > 1 ? c : { ...c, factor, powerW: o.w0 + (o.w1 - o.w0) * factor };
}

export { DemandResponseConfigSchema, type DemandResponseConfig } from "./config.ts";
export { feederTotal, unsettled } from "./feeder.ts";
export { encodeCongestion, parseCongestion, CongestionSchema, NS_GRID, type Congestion, type Direction } from "./signal.ts";
