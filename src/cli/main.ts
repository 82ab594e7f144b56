import { commands } from "./commands.ts";
import { UsageError } from "./usage.ts";

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return ["usage: flexfed <command> [options]", "", "commands:", ...lines, "", "`flexfed <command> --help` describes a command."].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(help());
    return name ? 0 : 1;
  }
  const command = commands[name];
  if (!command) {
    console.error(`flexfed: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    if (err instanceof UsageError) {
      console.error(`flexfed: ${err.message}`);
      process.exitCode = 2;
    } else {
      console.error(`flexfed: ${err instanceof Error ? err.message : String(err)}`);
      if (process.env.FLEXFED_DEBUG && err instanceof Error) console.error(err.stack);
      process.exitCode = 1;
    }
  },
);
