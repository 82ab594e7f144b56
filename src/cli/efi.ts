// `flexfed efi validate|normalize`: EFI 2.0 XML files checked and rewritten with the codec.
import { readFile } from "node:fs/promises";
import { decode, EfiDecodeError, encode, type EfiMessage } from "../efi/index.ts";
import { parseCommand, UsageError } from "./usage.ts";

const USAGE = `usage: flexfed efi <validate|normalize> [options] FILE...

  validate FILE...   check that each file is a valid EFI 2.0 message (XSD structure and
                     cross-field rules); prints "FILE: ok (<MessageKind>)" or every problem
                     with its path; exits 1 when a file is invalid or cannot be read
  normalize FILE     decode FILE and print it as canonical XML (prefix efi, indented)

\`flexfed efi <validate|normalize> --help\` describes one of them.`;

const VALIDATE_USAGE = `usage: flexfed efi validate FILE...

Checks each FILE as an EFI 2.0 message: namespace, element order, value types, and the
cross-field rules (ids unique, references resolving, ranges ordered). Prints
"FILE: ok (<MessageKind>)" per valid file, or "FILE: invalid" and one "  path: reason" line per
problem. Exits 0 when all files are valid, 1 otherwise.`;

const NORMALIZE_USAGE = `usage: flexfed efi normalize [--compact] FILE

Decodes FILE and prints it on stdout as canonical XML: prefix efi declared on the root,
qualified attributes, elements in XSD order, numbers in canonical form, comments dropped.

options:
  --compact   one line without XML declaration, as sent on the wire`;

type Outcome = { ok: true; message: EfiMessage } | { ok: false; problem: string };

async function load(file: string): Promise<Outcome> {
  let xml: string;
  try {
    xml = await readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, problem: `${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : `cannot read: ${(err as Error).message}`}` };
  }
  try {
    return { ok: true, message: decode(xml) };
  } catch (err) {
    if (!(err instanceof EfiDecodeError)) throw err;
    return { ok: false, problem: [`${file}: invalid`, ...err.issues.map((i) => `  ${i.path || "(document)"}: ${i.reason}`)].join("\n") };
  }
}

async function validate(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "efi validate", usage: VALIDATE_USAGE, options: {}, positionals: true });
  if (!args) return 0;
  if (args.positionals.length === 0) throw new UsageError(`efi validate: no FILE given\n\n${VALIDATE_USAGE}`);
  let failed = 0;
  for (const file of args.positionals) {
    const outcome = await load(file);
    if (outcome.ok) {
      console.log(`${file}: ok (${outcome.message.kind})`);
    } else {
      failed++;
      console.error(outcome.problem);
    }
  }
  return failed ? 1 : 0;
}

async function normalize(argv: string[]): Promise<number> {
  const args = parseCommand(argv, { name: "efi normalize", usage: NORMALIZE_USAGE, options: { compact: { type: "boolean" } }, positionals: true });
  if (!args) return 0;
  if (args.positionals.length !== 1) throw new UsageError(`efi normalize: give exactly one FILE\n\n${NORMALIZE_USAGE}`);
  const file = args.positionals[0]!;
  const outcome = await load(file);
  if (!outcome.ok) {
    console.error(outcome.problem);
    return 1;
  }
  const xml = args.values.compact ? encode(outcome.message) : `<?xml version="1.0" encoding="UTF-8"?>\n${encode(outcome.message, { indent: 2 })}`;
  process.stdout.write(`${xml}\n`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  switch (action) {
    case "validate":
      return validate(rest);
    case "normalize":
      return normalize(rest);
    case undefined:
    case "-h":
    case "--help":
      console.log(USAGE);
      return action ? 0 : 2;
    default:
      throw new UsageError(`efi: unknown action '${action}'\n\n${USAGE}`);
  }
}
