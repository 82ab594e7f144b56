// xmpp.js's SCRAM-SHA-1 client (sasl-scram-sha-1 1.4) derives the salted password (RFC 5802 Hi)
// with 10 000 one-by-one WebCrypto HMAC calls at Prosody's default iteration count: ~0.9 s of CPU
// per login (measured in bench/devices.ts), where Node's PBKDF2 computes the same bytes in ~3 ms.
// A process hosting many devices would take minutes to log them in. Hi is swapped for Node's.
import { pbkdf2 } from "node:crypto";
import { createRequire } from "node:module";
import { promisify } from "node:util";

const derive = promisify(pbkdf2);
const bitops = createRequire(import.meta.url)("sasl-scram-sha-1/lib/bitops.js") as {
  Hi: (text: string, salt: Uint8Array, iterations: number) => Promise<Uint8Array>;
};
bitops.Hi = async (text, salt, iterations) => new Uint8Array(await derive(text, salt, iterations, 20, "sha1"));
