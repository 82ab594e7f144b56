// The shared world of simulated sites: one scenario clock, and per site the sum of its devices'
// power, so a simulated connection meter (P1, a SunSpec grid meter) measures what the site's other
// simulated devices do, as a real one would.
import type { Simulation, SimulationEnv } from "./driver.ts";

/** A clock that runs `speed` times the wall clock from `startMs` (scenario time) on. */
export function scenarioClock(startMs: number, speed = 1, wallStart = Date.now()): () => number {
  return () => startMs + (Date.now() - wallStart) * speed;
}

/** A scenario clock that stands at its start until begin(): devices get ready before the day runs. */
export class ScenarioClock {
  #run: (() => number) | undefined;
  constructor(readonly startMs: number, readonly speed: number) {}
  readonly now = (): number => this.#run?.() ?? this.startMs;
  begin(): void { this.#run ??= scenarioClock(this.startMs, this.speed); }
}

export class SimulatedWorld {
  readonly #sites = new Map<string, Map<string, Simulation>>();

  constructor(readonly now: () => number = Date.now) {}

  /** The site's net power now (its devices' own powers), W, consumption positive. */
  netW(site: string): number {
    let w = 0;
    for (const s of this.#sites.get(site)?.values() ?? []) w += s.powerW?.() ?? 0;
    return w;
  }

  /** The sites simulated, with their devices' simulations. */
  get sites(): ReadonlyMap<string, ReadonlyMap<string, Simulation>> { return this.#sites; }

  /** The environment of one simulated device of `site` (devices without a site share ""). */
  env(site: string, resourceId: string): SimulationEnv {
    return {
      now: this.now,
      siteW: () => {
        let w = 0;
        for (const [rid, s] of this.#sites.get(site) ?? []) if (rid !== resourceId) w += s.powerW?.() ?? 0;
        return w;
      },
    };
  }

  add(site: string, resourceId: string, simulation: Simulation): void {
    const devices = this.#sites.get(site) ?? new Map<string, Simulation>();
    devices.set(resourceId, simulation);
    this.#sites.set(site, devices);
  }
}
