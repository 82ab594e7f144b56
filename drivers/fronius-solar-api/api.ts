// The Solar API v1 call flexfed uses, GetPowerFlowRealtimeData.fcgi, and its answer validated.
// Fronius's signs: P_Grid positive imports, P_Load negative consumes, P_Akku positive discharges,
// P_PV positive produces; each is null when the system has no such part (or no meter).
import { z } from "zod";

export const POWER_FLOW_PATH = "/solar_api/v1/GetPowerFlowRealtimeData.fcgi";

const watts = z.number().nullable().optional();

const HeadSchema = z.object({
  Status: z.object({ Code: z.number().int(), Reason: z.string().optional(), UserMessage: z.string().optional() }),
  Timestamp: z.string().optional(),
});

export const PowerFlowSchema = z.object({
  Head: HeadSchema,
  Body: z.object({
    Data: z.object({
      Site: z.object({
        Mode: z.string().optional(),
        Meter_Location: z.string().optional(),
        P_Grid: watts,
        P_Load: watts,
        P_PV: watts,
        P_Akku: watts,
        /** Wh produced since installation. */
        E_Total: z.number().min(0).nullable().optional(),
      }),
      Inverters: z.record(z.string(), z.object({ DT: z.number().optional(), P: watts, SOC: z.number().min(0).max(100).optional(), E_Total: z.number().nullable().optional() })).optional(),
      Version: z.string().optional(),
    }),
  }),
});
export type PowerFlow = z.infer<typeof PowerFlowSchema>;

export class SolarApiError extends Error {
  override name = "SolarApiError";
}

/** One GetPowerFlowRealtimeData call; rejects with a SolarApiError that says what went wrong. */
export async function fetchPowerFlow(base: string, timeoutMs: number): Promise<PowerFlow> {
  const url = new URL(POWER_FLOW_PATH, base).href;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    if (e.name === "TimeoutError") throw new SolarApiError(`no answer from ${url} within ${timeoutMs} ms`);
    throw new SolarApiError(`cannot reach ${url}: ${e.cause?.code ?? e.message}`);
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) throw new SolarApiError(`${url} answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SolarApiError(`${url} did not answer JSON: ${JSON.stringify(text.slice(0, 60))}`);
  }
  // An error answer carries no data: its Head says why.
  const status = z.object({ Head: HeadSchema }).safeParse(json).data?.Head.Status;
  if (status && status.Code !== 0) throw new SolarApiError(`${url} reports error ${status.Code}${status.Reason ? `: ${status.Reason}` : ""}`);
  const r = PowerFlowSchema.safeParse(json);
  if (!r.success) throw new SolarApiError(`${url} answered JSON that is not a power flow: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return r.data;
}
