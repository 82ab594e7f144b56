import { parseArgs, type ParseArgsConfig } from "node:util";

/** A wrong command line: printed as one line, exit code 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

/**
 * Parses a subcommand's arguments with node:util parseArgs, adding `--help` and turning
 * parseArgs' errors into UsageErrors that name the command. Returns null when help was printed.
 */
export function parseCommand<O extends Options>(
  argv: string[],
  spec: { name: string; usage: string; options: O; positionals?: boolean },
) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...spec.options, help: { type: "boolean", short: "h" } },
      allowPositionals: spec.positionals ?? false,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`${spec.name}: ${(err as Error).message}\n\n${spec.usage}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(spec.usage);
    return null;
  }
  return parsed;
}
