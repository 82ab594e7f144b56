// The balancer: a site's customer energy manager (CEM). Every plan, in this order:
// 1. The site's net power at the connection is measured (the ROLE=grid meter, else the sum of the
//    devices' power) and corrected for devices instructed after that reading (estimate.ts: they
//    count at their planned power and are left as asked; the plan holds while the meter has not seen
//    a device that already moved); without the flexible devices it is the base.
// 2. Batteries (storage that can discharge) aim the net at `targetW` (self-consumption), sharing the
//    work by their power range.
// 3. Above the import limit: loads that the app may slow down (EV chargers, heat pumps: storage and
//    adjustable that only consume) are turned down, the largest first; if that is not enough, a
//    generator (adjustable that produces) starts. Well inside the limit again, they are handed back.
// 4. Below the export limit: loads take the surplus first, then PV is curtailed (InflexibleInstruction)
//    by exactly the excess; the curtailment ends by itself and is renewed while needed.
// 5. A dishwasher offering a program starts early when the PV surplus covers its power, or near
//    its latest start when the import limit has room (shiftable.ts).
// Every instruction is checked against the device's own rules before it goes out.
import type { DeviceView } from "../../src/app/model.ts";
import { acceptable, choose, draft, flexibilityOf, intentOf, type Flexibility } from "../../src/app/flexibility.ts";
import type { AppAction, EnergyApp, InstructionDraft, PlanContext } from "../../src/app/types.ts";
import { isHolding } from "../../src/app/tracker.ts";
import { formatDateTime, formatDuration } from "../../src/efi/index.ts";
import { BalancerConfigSchema, type BalancerConfig } from "./config.ts";
import { estimatedGrid, gridPower, settling } from "./estimate.ts";
import { shiftableStart } from "./shiftable.ts";

interface Flex { d: DeviceView; f: Flexibility; measuredW: number }

/** A load switched on to use a surplus may import this much for it, W (a 4.1 kW EV minimum on 4 kW of surplus). */
const LOAD_SLACK_W = 300;

const power = (d: DeviceView) => d.sample("power")?.v ?? 0;

export function balancer(input: unknown): EnergyApp {
  const cfg: BalancerConfig = BalancerConfigSchema.parse(input);
  return {
    name: "balancer",
    search: [{ op: "strEq", name: "SITE", value: cfg.site }],
    plan: (ctx) => plan(cfg, ctx),
  };
}

export function plan(cfg: BalancerConfig, ctx: PlanContext): AppAction[] {
  const now = ctx.now.getTime();
  const devices = ctx.devices.filter((d) => d.tags.SITE === cfg.site);
  const actions: AppAction[] = [];
  const ours = (rid: string) => { const t = ctx.instructions.get(rid); return !!t && (isHolding(t.state) || t.state === "SUCCEEDED"); };
  /** Asks `fx` for `targetW`; resolves to the power it will draw. Loads left as they are get no instruction (they keep their own behaviour). */
  const instruct = (fx: Flex, targetW: number, keepAsIs = false, at?: "most" | "least"): number => {
    const c = choose(fx.f, targetW, at);
    if (!c) return fx.measuredW;
    if (keepAsIs && c.modeId === fx.f.currentModeId && Math.abs(c.powerW - fx.measuredW) < 100 && !ours(fx.d.rid)) return fx.measuredW;
    const i = draft(fx.f, c, ctx.now);
    if (!acceptable(fx.d, i, ctx.now)) return fx.measuredW;
    actions.push({ type: "instruct", rid: fx.d.rid, intent: intentOf(fx.f, c), instruction: i });
    return c.powerW;
  };

  const settled = settling(devices, ctx.instructions);
  if (settled.some((x) => !x.seen)) return [];
  const flex: Flex[] = devices.flatMap((d) => {
    if (settled.some((x) => x.rid === d.rid)) return [];
    const f = flexibilityOf(d, now);
    return f && f.options.length ? [{ d, f, measuredW: power(d) }] : [];
  });
  const canDischarge = (x: Flex) => x.f.category === "storage" && x.f.options.some((o) => o.minW < 0);
  const batteries = flex.filter(canDischarge);
  const loads = flex.filter((x) => !canDischarge(x) && x.f.options.every((o) => o.minW >= 0) && x.f.options.some((o) => o.maxW > 0));
  const generators = flex.filter((x) => x.f.category === "adjustable" && x.f.options.some((o) => o.minW < 0));

  const net = estimatedGrid(gridPower(devices), settled);
  const base = net - [...batteries, ...loads, ...generators].reduce((w, x) => w + x.measuredW, 0);
  const others = loads.reduce((w, x) => w + x.measuredW, 0) + generators.reduce((w, x) => w + x.measuredW, 0);

  // 2. Batteries share what takes the net to the target, by their range in that direction.
  const need = cfg.targetW - (base + others);
  const range = (x: Flex) => (need > 0 ? Math.max(0, ...x.f.options.map((o) => o.maxW)) : -Math.min(0, ...x.f.options.map((o) => o.minW)));
  const total = batteries.reduce((w, x) => w + range(x), 0);
  let stored = 0;
  for (const b of batteries) stored += instruct(b, total ? (need * range(b)) / total : 0);
  let n = base + others + stored;

  // 3. Above the import limit: slow loads down (largest first), then a generator.
  if (n > cfg.importLimitW) {
    for (const l of [...loads].sort((a, b) => b.measuredW - a.measuredW)) {
      if (n <= cfg.importLimitW) break;
      const w = instruct(l, Math.max(0, l.measuredW - (n - cfg.importLimitW)), true, "most");
      n += w - l.measuredW;
    }
    for (const g of generators) {
      if (n <= cfg.importLimitW) break;
      const w = instruct(g, g.measuredW - (n - cfg.importLimitW), true, "most");
      n += w - g.measuredW;
    }
  } else if (n < cfg.importLimitW - cfg.marginW) {
    // Well inside: a generator the app started stops; loads it held back may go full again.
    for (const g of generators) {
      if (ours(g.d.rid) && n - g.measuredW <= cfg.importLimitW - cfg.marginW) { n += instruct(g, 0) - g.measuredW; }
    }
    for (const l of loads) {
      const full = Math.max(...l.f.options.map((o) => o.maxW));
      // Only a load held below its full power: one the app switched on for a surplus keeps running.
      if (ours(l.d.rid) && l.measuredW < full - 100 && n + full - l.measuredW <= cfg.importLimitW - cfg.marginW) {
        actions.push({ type: "revoke", rid: l.d.rid });
        n += full - l.measuredW;
      }
    }
  }

  // 4. A surplus the batteries cannot take goes to loads that can use it without importing for it;
  //    beyond the export limit, PV is curtailed by the excess.
  if (n < cfg.targetW) {
    for (const l of loads) {
      if (n >= cfg.targetW) break;
      const c = choose(l.f, l.measuredW + (cfg.targetW - n) + LOAD_SLACK_W, "most");
      if (!c || c.powerW <= l.measuredW || n + c.powerW - l.measuredW > cfg.targetW + LOAD_SLACK_W) continue;
      n += instruct(l, c.powerW, true) - l.measuredW;
    }
  }
  if (n < -cfg.exportLimitW) {
    for (const pv of devices.filter((d) => d.controllable && d.latest("InflexibleCurtailmentOptions"))) {
      if (n >= -cfg.exportLimitW) break;
      const cap = Math.min(0, power(pv) + (-cfg.exportLimitW - n));
      const i = curtail(pv, cap, cfg, ctx.now);
      if (i && acceptable(pv, i, ctx.now)) {
        actions.push({ type: "instruct", rid: pv.rid, intent: `cap ${Math.round(cap / 100) * 100}`, instruction: i });
        n += cap - power(pv);
      }
    }
  }

  // 5. A dishwasher starts now when the surplus covers it.
  for (const d of devices.filter((x) => x.controllable && x.latest("ShiftableUpdate") && !ours(x.rid))) {
    const start = shiftableStart(d, n, { targetW: cfg.targetW, importLimitW: cfg.importLimitW, leadMs: cfg.deadlineLeadMinutes * 60_000 }, ctx.now);
    if (start) { actions.push(start.action); n += start.powerW; }
  }
  return actions;
}

/** An InflexibleInstruction capping the PV's production at `capW` (negative) for a while. */
function curtail(pv: DeviceView, capW: number, cfg: BalancerConfig, now: Date): InstructionDraft | undefined {
  const options = pv.latest("InflexibleCurtailmentOptions");
  const option = options?.curtailmentOptions?.find((o) => o.curtailmentQuantity === "ELECTRICITY.POWER");
  if (!options || !option) return undefined;
  const lo = Math.min(...option.curtailmentRange.map((r) => r.lowerBound));
  return {
    kind: "InflexibleInstruction", flexibilityUpdateId: options.flexibilityUpdateId, isEmergencyInstruction: false,
    curtailmentProfile: {
      curtailmentQuantity: "ELECTRICITY.POWER", startTime: formatDateTime(now.getTime()),
      curtailmentProfileElement: [{ duration: formatDuration(cfg.curtailMinutes * 60_000), value: Math.max(lo, Math.round(capW)) }],
    },
  };
}

export { BalancerConfigSchema, type BalancerConfig } from "./config.ts";
