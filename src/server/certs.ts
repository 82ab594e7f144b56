import { existsSync } from "node:fs";
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { run } from "./exec.ts";

export interface Certificates {
  caCert: string;
  cert: string;
  key: string;
}

/**
 * A private CA for this installation and a certificate for the domain and every subdomain
 * (components, pubsub), signed by it. Clients trust the CA through NODE_EXTRA_CA_CERTS, which is
 * the one way xmpp.js's STARTTLS accepts a private CA. Existing files are kept, so a restart
 * does not invalidate what clients already trust. `caDir` lets several servers share one CA (a test
 * server next to the suite's, or domains of one operator).
 */
export async function ensureCertificates(certDir: string, domain: string, caDir = certDir): Promise<Certificates> {
  await mkdir(certDir, { recursive: true });
  const { caCert, caKey } = await ensureCa(caDir, domain);
  const key = path.join(certDir, `${domain}.key`);
  const cert = path.join(certDir, `${domain}.crt`);
  if (!existsSync(cert) || !existsSync(key)) {
    const csr = path.join(certDir, `${domain}.csr`);
    const ext = path.join(certDir, `${domain}.ext`);
    await writeFile(ext, `subjectAltName=DNS:${domain},DNS:*.${domain}\nextendedKeyUsage=serverAuth,clientAuth\n`);
    await run("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-subj", `/CN=${domain}`, "-keyout", key, "-out", csr]);
    await run("openssl", ["x509", "-req", "-in", csr, "-CA", caCert, "-CAkey", caKey, "-CAcreateserial",
      "-days", "825", "-extfile", ext, "-out", cert]);
  }
  await chmod(key, 0o600);
  await Promise.all([`${domain}.csr`, `${domain}.ext`].map((f) => rm(path.join(certDir, f), { force: true })));
  return { caCert, cert, key };
}

/** The CA of `caDir` (ca.crt, ca.key), made when missing; `name` goes into its subject. */
export async function ensureCa(caDir: string, name: string): Promise<{ caCert: string; caKey: string }> {
  await mkdir(caDir, { recursive: true });
  const caKey = path.join(caDir, "ca.key");
  const caCert = path.join(caDir, "ca.crt");
  if (!existsSync(caCert) || !existsSync(caKey)) {
    await run("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-days", "3650", "-subj", `/CN=flexfed CA for ${name}`, "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", caKey, "-out", caCert]);
  }
  await chmod(caKey, 0o600);
  return { caCert, caKey };
}
