// The demand-response app (SUNSEED): the grid operator publishes congestion signals on
// grid/<feeder>; while one is in force and the feeder's total import is above its limit, the app
// asks the feeder's flexible devices for the difference, each in proportion to how much it can
// give (its power now minus the least it can draw), so no home carries more than its share. When
// the signal ends it revokes what it asked: the devices return to their own behaviour.
import { acceptable, choose, draft, flexibilityOf, intentOf } from "../../src/app/flexibility.ts";
import type { DeviceView } from "../../src/app/model.ts";
import { isHolding } from "../../src/app/tracker.ts";
import type { AppAction, EnergyApp, PlanContext } from "../../src/app/types.ts";
import { DemandResponseConfigSchema, type DemandResponseConfig } from "./config.ts";
import { active, parseCongestion, type Congestion } from "./signal.ts";

const power = (d: DeviceView) => d.sample("power")?.v ?? 0;

/** A feeder's total import, W: per site its ROLE=grid meter, else the sum of its devices. */
export function feederTotal(devices: readonly DeviceView[]): number {
  const sites = new Map<string, DeviceView[]>();
  for (const d of devices) {
    const site = String(d.tags.SITE ?? d.rid);
    sites.set(site, [...(sites.get(site) ?? []), d]);
  }
  let total = 0;
  for (const list of sites.values()) {
    const meter = list.find((d) => d.tags.ROLE === "grid");
    total += meter ? power(meter) : list.reduce((w, d) => w + power(d), 0);
  }
  return total;
}

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

export function planFeeder(cfg: DemandResponseConfig, ctx: PlanContext, feeder: string): AppAction[] {
  const now = ctx.now.getTime();
  const devices = ctx.devices.filter((d) => d.tags.FEEDER === feeder);
  const holding = (rid: string) => { const t = ctx.instructions.get(rid); return !!t && (isHolding(t.state) || t.state === "SUCCEEDED"); };
  const signal = signals(ctx, feeder).filter((c) => active(c, now)).sort((a, b) => a.limit - b.limit)[0];
  // No signal in force: hand back whatever the app still holds.
  if (!signal) return devices.filter((d) => holding(d.rid)).map((d) => ({ type: "revoke", rid: d.rid }));

  // Under the limit: what the app asked holds (asking less now would bring the peak back).
  const excess = feederTotal(devices) - signal.limit * (1 - cfg.headroom);
  if (excess <= 0) return [];
  // A device provisioning does not let the app control takes no share.
  const refused = (rid: string) => { const t = ctx.instructions.get(rid); return t?.state === "FAILED" && /^forbidden/.test(t.info ?? ""); };
  const flexible = devices.flatMap((d) => {
    const f = refused(d.rid) ? undefined : flexibilityOf(d, now);
    if (!f?.options.length) return [];
    const give = power(d) - Math.min(...f.options.map((o) => o.minW));
    return give > 0 ? [{ d, f, give }] : [];
  });
  const canGive = flexible.reduce((w, x) => w + x.give, 0);
  const actions: AppAction[] = [];
  for (const x of flexible) {
    const share = canGive ? (Math.min(excess, canGive) * x.give) / canGive : 0;
    const c = choose(x.f, power(x.d) - share);
    if (!c) continue;
    const instruction = draft(x.f, c, ctx.now);
    if (acceptable(x.d, instruction, ctx.now)) actions.push({ type: "instruct", rid: x.d.rid, intent: `dr ${intentOf(x.f, c)}`, instruction });
  }
  return actions;
}

export { DemandResponseConfigSchema, type DemandResponseConfig } from "./config.ts";
export { encodeCongestion, parseCongestion, CongestionSchema, NS_GRID, type Congestion } from "./signal.ts";
