// The subcommand table. Each entry is loaded only when called, so `flexfed --help` stays fast
// and a command's dependencies (SQLite, XMPP) load only for the commands that need them.
export interface Command {
  summary: string;
  /** Runs the command with the arguments after its name; resolves to the process exit code. */
  load: () => Promise<{ run: (argv: string[]) => Promise<number> }>;
}

export const commands: Record<string, Command> = {
  up: { summary: "start Prosody and the platform on loopback; Ctrl-C stops all", load: () => import("./up.ts") },
  efi: { summary: "validate or normalize EFI 2.0 XML files (validate|normalize)", load: () => import("./efi.ts") },
  policy: { summary: "owner access policies: allow, deny, list, revoke", load: () => import("./policy.ts") },
  services: { summary: "run the registry and provisioning components against a running server", load: () => import("./services.ts") },
  smoke: { summary: "run the smoke scenario (device, app, registry) against a running server", load: () => import("./smoke.ts") },
  server: { summary: "prepare, start, inspect or stop the XMPP server (setup|start|status|stop)", load: () => import("./server.ts") },
  registry: { summary: "search the thing registry as an owner (search TAG=VALUE ...)", load: () => import("./registry.ts") },
  claim: { summary: "claim a thing in the registry by its tags or QR claim string", load: async () => ({ run: (await import("./owner.ts")).claim }) },
  disown: { summary: "give up ownership of a thing (it must be online to acknowledge)", load: async () => ({ run: (await import("./owner.ts")).disown }) },
  site: { summary: "run the devices of a site file (YAML/JSON, real or simulated), or check it (run|check)", load: () => import("./site.ts") },
  device: { summary: "run devices from a configuration file, or check the file (run|check)", load: () => import("./device.ts") },
  grid: { summary: "publish or end a grid operator's congestion signal on grid/<feeder> (congestion|end)", load: () => import("./grid.ts") },
  app: { summary: "run one energy app (balancer, dr, monitor) as its component until Ctrl-C", load: () => import("./app.ts") },
  scenario: { summary: "the example sites, the energy apps and a simulated day without and with flexibility", load: () => import("./scenario.ts") },
  watch: { summary: "show devices, their control spaces and instruction statuses live", load: () => import("./watch.ts") },
  bench: { summary: "measure flexfed against bare XMPP and MQTT on servers of its own (codec, registry, control, ...)", load: () => import("./bench.ts") },
  remove: { summary: "remove a thing you own from the registry", load: async () => ({ run: (await import("./owner.ts")).remove }) },
};
