// Every energy app flexfed ships, by its component label.
import type { EnergyApp } from "../src/app/types.ts";
import { balancer } from "./balancer/index.ts";
import { demandResponse } from "./demand-response/index.ts";
import { monitor } from "./monitor/index.ts";

export const APPS: Record<string, (config: unknown) => EnergyApp> = { balancer, dr: demandResponse, monitor };

export { balancer, demandResponse, monitor };
