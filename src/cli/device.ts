// `flexfed device run|check --config FILE`: `flexfed site` for a file, named the way one thinks of
// a single device on real hardware.
import { SERVER_OPTIONS, SERVER_OPTIONS_HELP, serverSpecFrom } from "./server-options.ts";
import { checkSite, FILE_HELP, runSite } from "./site.ts";
import { parseCommand, UsageError } from "./usage.ts";

const USAGE = `usage: flexfed device run|check --config FILE [options]

  run     runs the device(s) FILE describes against the server in the data dir: each logs in as
          <resourceId>@<domain> (the account is created when missing), registers in the thing
          registry with its tags and prints the claim string its owner claims it with
          (\`flexfed claim 'IoTDisco;...'\`). Ctrl-C stops them.
  check   checks FILE and says what is wrong, with the path of each field at fault

${FILE_HELP}

options:
  --config FILE          the device configuration (required)
${SERVER_OPTIONS_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "device", usage: USAGE, options: { ...SERVER_OPTIONS, config: { type: "string" } }, positionals: true });
  if (!args) return 0;
  const [action, ...extra] = args.positionals;
  if (action !== "run" && action !== "check") throw new UsageError(`device: say run or check${action ? `, not '${action}'` : ""}\n\n${USAGE}`);
  if (extra.length) throw new UsageError(`device: unexpected '${extra.join(" ")}'`);
  if (!args.values.config) throw new UsageError(`device: --config FILE is required\n\n${USAGE}`);
  return action === "check" ? checkSite([args.values.config]) : runSite([args.values.config], serverSpecFrom(args.values).dataDir);
}
