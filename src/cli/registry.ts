// `flexfed registry search`: searches the thing registry as an account of the prepared server.
// Also the session the owner commands (claim, disown, remove) share: log in, run, report.
import { RegistryClient } from "../registry/client.ts";
import { RequestError } from "../registry/errors.ts";
import type { SearchOperator } from "../registry/operators.ts";
import { parseOperatorArg, parseSearchTerm } from "../registry/syntax.ts";
import { XmppError } from "../xmpp/index.ts";
import { SERVER_OPTIONS_HELP } from "./server-options.ts";
import { ACCOUNT_OPTIONS, ACCOUNT_OPTIONS_HELP as SESSION_HELP, asAccount as withAccount } from "./session.ts";
import { parseCommand, UsageError } from "./usage.ts";

export { ACCOUNT_OPTIONS };
export const ACCOUNT_OPTIONS_HELP = `${SESSION_HELP}
${SERVER_OPTIONS_HELP}

The command logs in over STARTTLS, so it must trust the data dir's CA: when NODE_EXTRA_CA_CERTS
does not name it, it runs itself again with NODE_EXTRA_CA_CERTS=<data dir>/certs/ca.crt.`;

/** Syntax errors of terms become usage errors (exit code 2). */
export function usage<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RequestError) throw new UsageError(`${name}: ${err.message}`);
    throw err;
  }
}

/**
 * Runs `act` logged in as the chosen account, with a client for registry.<domain>. A refusal by
 * the registry is printed as its condition and text (exit code 1).
 */
export function asAccount(
  name: string,
  values: { [K in keyof typeof ACCOUNT_OPTIONS]?: string },
  act: (registry: RegistryClient) => Promise<void>,
): Promise<number> {
  return withAccount(values, async (conn, info) => {
    const registryJid = `registry.${info.domain}`;
    try {
      await act(new RegistryClient(conn, registryJid));
      return 0;
    } catch (err) {
      if (!(err instanceof XmppError)) throw err;
      console.error(`flexfed ${name}: ${registryJid} refused: ${err.condition}${err.text ? ` (${err.text})` : ""}`);
      return 1;
    }
  });
}

const USAGE = `usage: flexfed registry search TERM... [--op OPERATOR:TAG=ARG]... [options]

Searches the thing registry (XEP-0347) for claimed things that are public or yours. All terms
and operators must hold (AND). Unclaimed things and the KEY tag are never found.

terms:
  TAG=VALUE              equal (strEq; numEq for a numeric tag)
  TAG!=VALUE             not equal (strNEq / numNEq)
  TAG~MASK               string mask, * matches any text (strMask)
  TAG>N TAG>=N TAG<N TAG<=N
                         comparisons (numeric for a numeric tag, else ordinal on strings)
  TAG=MIN..MAX           numeric range, ends included; [ ] include, ( ) exclude: PMAX=(1000..5000]
  Numeric tags: ALT LAT LON V PMAX CAP, or any tag written with a leading '#' (#TEMP>20).

options:
  --op OPERATOR:TAG=ARG  any XEP-0347 operator, e.g. strRange:SN=[100..200) numNRange:V=1..2
                         strMask:SN=39*; ARG is a value, a mask or a range as above
  --offset N             skip N things (default 0)
  --max N                at most N things (default and limit 100)
  --json                 print {"more": bool, "things": [...]} as JSON
${ACCOUNT_OPTIONS_HELP}

example: flexfed registry search EFI=storage SITE=north 'PMAX>=3000' --max 20`;

function count(value: string | undefined, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`registry search: ${option} must be a whole number, got '${value}'`);
  return Number(value);
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === "--help" || sub === "-h" || sub === undefined) {
    console.log(USAGE);
    return sub === undefined ? 2 : 0;
  }
  if (sub !== "search") throw new UsageError(`registry: unknown subcommand '${sub}' (only: search)\n\n${USAGE}`);
  const args = parseCommand(rest, {
    name: "registry search",
    usage: USAGE,
    positionals: true,
    options: { ...ACCOUNT_OPTIONS, op: { type: "string", multiple: true }, offset: { type: "string" }, max: { type: "string" }, json: { type: "boolean" } },
  });
  if (!args) return 0;
  const operators: SearchOperator[] = usage("registry search", () => [
    ...args.positionals.map(parseSearchTerm),
    ...(args.values.op ?? []).map(parseOperatorArg),
  ]);
  if (operators.length === 0) throw new UsageError(`registry search: give at least one term or --op\n\n${USAGE}`);
  const offset = count(args.values.offset, "--offset");
  const maxCount = count(args.values.max, "--max");
  if (maxCount === 0) throw new UsageError("registry search: --max must be at least 1");

  return asAccount("registry search", args.values, async (registry) => {
    const found = await registry.search(operators, { offset, maxCount });
    if (args.values.json) {
      console.log(JSON.stringify(found, null, 2));
      return;
    }
    for (const t of found.things) {
      const node = t.nodeId ? ` node=${t.nodeId}` : "";
      console.log(`${t.jid}${node}  owner=${t.owner}  ${t.tags.map((g) => `${g.type === "num" ? "#" : ""}${g.name}=${g.value}`).join(" ")}`);
    }
    const next = (offset ?? 0) + found.things.length;
    console.log(`${found.things.length} thing(s)${found.more ? `; more follow: --offset ${next}` : ""}`);
  });
}
