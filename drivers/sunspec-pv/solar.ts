// A clear-sky model of a PV system's output: where the sun is (NOAA's low-precision equations,
// good to a fraction of a degree), how much of it reaches the panels through a clear atmosphere
// (Meinel's air-mass fit for direct light plus a diffuse share), and that as a fraction of the
// peak power. No weather: the forecast is what a cloudless day would give, an upper bound.
const RAD = Math.PI / 180;
const SOLAR_CONSTANT = 1353;
const DIFFUSE_SHARE = 0.1;

export interface SolarSite {
  latitude: number;
  longitude: number;
  /** W at 1000 W/m2 on the panels; the output never exceeds it. */
  peakW: number;
  /** Panel tilt from horizontal, degrees; default 0 (flat). */
  tiltDeg?: number;
  /** Direction the panels face, degrees clockwise from north; default 180 (south). */
  azimuthDeg?: number;
}

/** The sun's elevation above the horizon and azimuth (clockwise from north), degrees. */
export function sunPosition(latitude: number, longitude: number, timeMs: number): { elevationDeg: number; azimuthDeg: number } {
  const d = new Date(timeMs);
  const dayOfYear = (timeMs - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000;
  const g = ((2 * Math.PI) / 365) * dayOfYear;
  const eqTimeMin = 229.18 * (0.000075 + 0.001868 * Math.cos(g) - 0.032077 * Math.sin(g) - 0.014615 * Math.cos(2 * g) - 0.040849 * Math.sin(2 * g));
  const decl = 0.006918 - 0.399912 * Math.cos(g) + 0.070257 * Math.sin(g) - 0.006758 * Math.cos(2 * g) + 0.000907 * Math.sin(2 * g)
    - 0.002697 * Math.cos(3 * g) + 0.00148 * Math.sin(3 * g);
  const utcMin = (timeMs % 86_400_000) / 60_000;
  const hourAngle = ((utcMin + eqTimeMin + 4 * longitude) / 4 - 180) * RAD;
  const lat = latitude * RAD;
  const sinEl = Math.sin(lat) * Math.sin(decl) + Math.cos(lat) * Math.cos(decl) * Math.cos(hourAngle);
  const az = Math.atan2(Math.sin(hourAngle), Math.cos(hourAngle) * Math.sin(lat) - Math.tan(decl) * Math.cos(lat)) / RAD + 180;
  return { elevationDeg: Math.asin(Math.max(-1, Math.min(1, sinEl))) / RAD, azimuthDeg: ((az % 360) + 360) % 360 };
}

/** Output on a clear day at `timeMs`, W (production positive, 0 at night). */
export function clearSkyPower(site: SolarSite, timeMs: number): number {
  const sun = sunPosition(site.latitude, site.longitude, timeMs);
  if (sun.elevationDeg <= 0) return 0;
  const zenith = (90 - sun.elevationDeg) * RAD;
  const airMass = 1 / Math.max(Math.cos(zenith), 0.01);
  const direct = SOLAR_CONSTANT * 0.7 ** (airMass ** 0.678);
  const tilt = (site.tiltDeg ?? 0) * RAD;
  const facing = ((site.azimuthDeg ?? 180) - sun.azimuthDeg) * RAD;
  const incidence = Math.cos(zenith) * Math.cos(tilt) + Math.sin(zenith) * Math.sin(tilt) * Math.cos(facing);
  const onPanels = direct * Math.max(0, incidence) + DIFFUSE_SHARE * direct * ((1 + Math.cos(tilt)) / 2);
  return Math.min(site.peakW, (site.peakW * onPanels) / 1000);
}

/**
 * Mean clear-sky output over `steps` intervals of `stepMs` from `fromMs`, W (production positive);
 * each interval is sampled at its start, middle and end.
 */
export function clearSkyProfile(site: SolarSite, fromMs: number, steps: number, stepMs: number): number[] {
  return Array.from({ length: steps }, (_, i) => {
    const t = fromMs + i * stepMs;
    return (clearSkyPower(site, t) + 2 * clearSkyPower(site, t + stepMs / 2) + clearSkyPower(site, t + stepMs)) / 4;
  });
}
