import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { z } from "zod";

const SecretsSchema = z.object({
  components: z.record(z.string(), z.string().min(16)),
  accounts: z.record(z.string(), z.string().min(16)),
});
export type Secrets = z.infer<typeof SecretsSchema>;

const generate = () => randomBytes(24).toString("base64url");

/**
 * Component secrets and account passwords, generated at set-up and kept in the data dir with
 * mode 0600. Names already present keep their secret; new names get a fresh one.
 */
export async function ensureSecrets(file: string, want: { components: string[]; accounts: string[] }): Promise<Secrets> {
  let secrets: Secrets = { components: {}, accounts: {} };
  if (existsSync(file)) {
    const parsed = SecretsSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`${file} is not a flexfed secrets file: ${parsed.error.issues[0]?.message}`);
    secrets = parsed.data;
  }
  let changed = !existsSync(file);
  for (const c of want.components) if (!secrets.components[c]) { secrets.components[c] = generate(); changed = true; }
  for (const a of want.accounts) if (!secrets.accounts[a]) { secrets.accounts[a] = generate(); changed = true; }
  if (changed) await writeFile(file, JSON.stringify(secrets, null, 2) + "\n", { mode: 0o600 });
  return secrets;
}
