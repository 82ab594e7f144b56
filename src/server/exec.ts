import { execFile, spawnSync } from "node:child_process";

/** Runs a program and resolves with its stdout; rejects with its stderr (else stdout: ejabberdctl's errors go there) in the message. */
export function run(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: opts.cwd, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(" ")} failed: ${(stderr || stdout || err.message).trim()}`));
      else resolve(stdout);
    });
  });
}

export function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Prosody refuses to run as root (and ejabberd should not), so as root every server program runs
 * as the user that Debian's package creates (`prosody`, `ejabberd`); otherwise as the current user.
 */
export function asServerUser(cmd: string, args: string[], user = "prosody"): [string, string[]] {
  return isRoot() ? ["runuser", ["-u", user, "--", cmd, ...args]] : [cmd, args];
}

/**
 * The command with its soft open-files limit raised to the hard limit first. runuser's PAM session
 * sets the soft limit back to 1 024, and a server holds a socket per device: Prosody began refusing
 * logins (its account files would not open) at about 1 000 devices (bench/scale.ts).
 */
export function withOpenFilesRaised(cmd: string, args: string[]): [string, string[]] {
  return ["sh", ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"', cmd, ...args]];
}


/** The command in a mount namespace of its own where `hostsFile` is /etc/hosts (root only). */
export function withHostsFile(hostsFile: string, cmd: string, args: string[]): [string, string[]] {
  return ["unshare", ["--mount", "--propagation", "private", "--", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', hostsFile, cmd, ...args]];
}
