// `flexfed claim`, `flexfed disown`, `flexfed remove`: what an owner does with its things in the
// thing registry (XEP-0347), as an account of the prepared server.
import { parseQr } from "../registry/qr.ts";
import { parseTagArg } from "../registry/syntax.ts";
import { Jid } from "../registry/parse.ts";
import { ACCOUNT_OPTIONS, ACCOUNT_OPTIONS_HELP, asAccount, usage } from "./registry.ts";
import { parseCommand, UsageError } from "./usage.ts";

const CLAIM_USAGE = `usage: flexfed claim TAG=VALUE... [--private] [options]
       flexfed claim --qr 'IoTDisco;SN:...;MAN:...;KEY:...' [--private] [options]

Claims ownership of the thing registered with exactly these tags (any order, KEY included).
TAG=VALUE is a string tag, or numeric for ALT LAT LON V PMAX CAP and for '#TAG=VALUE'.
--qr takes the XEP-0347 claim string a thing's QR code carries (numeric tags marked '#',
';' and '\\' in values escaped with '\\').

options:
  --qr STRING            the claim string instead of TAG=VALUE arguments
  --private              claim privately: only you find it in searches (default public)
${ACCOUNT_OPTIONS_HELP}`;

const jidUsage = (verb: string, what: string) => `usage: flexfed ${verb} JID [options]

${what}

options:
${ACCOUNT_OPTIONS_HELP}`;

const DISOWN_USAGE = jidUsage("disown", `Gives up ownership of a thing: the registry asks the thing (which must be online and
acknowledge), then returns it to unclaimed with a fresh random KEY. Refused with not-allowed
when the thing is offline or does not acknowledge.`);
const REMOVE_USAGE = jidUsage("remove", `Removes a thing you own from the registry, so that it no longer appears in searches; the
registry tells the thing.`);

export async function claim(argv: string[]): Promise<number> {
  const args = parseCommand(argv, {
    name: "claim",
    usage: CLAIM_USAGE,
    positionals: true,
    options: { ...ACCOUNT_OPTIONS, qr: { type: "string" }, private: { type: "boolean" } },
  });
  if (!args) return 0;
  const { qr } = args.values;
  if ((qr === undefined) === (args.positionals.length === 0)) throw new UsageError(`claim: give either TAG=VALUE arguments or --qr\n\n${CLAIM_USAGE}`);
  const tags = usage("claim", () => (qr !== undefined ? parseQr(qr) : args.positionals.map(parseTagArg)));
  const isPublic = !args.values.private;
  return asAccount("claim", args.values, async (registry) => {
    const claimed = await registry.claim(tags, { public: isPublic });
    const node = claimed.nodeId ? ` (node ${claimed.nodeId})` : "";
    console.log(`claimed ${claimed.jid}${node}, ${isPublic ? "public" : "private"}`);
  });
}

function jidCommand(name: "disown" | "remove", text: string, act: "disown" | "remove", done: string) {
  return async (argv: string[]): Promise<number> => {
    const args = parseCommand(argv, { name, usage: text, positionals: true, options: ACCOUNT_OPTIONS });
    if (!args) return 0;
    if (args.positionals.length !== 1) throw new UsageError(`${name}: give exactly one JID\n\n${text}`);
    const parsed = Jid.safeParse(args.positionals[0]);
    if (!parsed.success) throw new UsageError(`${name}: ${parsed.error.issues[0]!.message}`);
    return asAccount(name, args.values, async (registry) => {
      await registry[act](parsed.data);
      console.log(`${done} ${parsed.data}`);
    });
  };
}

export const disown = jidCommand("disown", DISOWN_USAGE, "disown", "disowned");
export const remove = jidCommand("remove", REMOVE_USAGE, "remove", "removed");
