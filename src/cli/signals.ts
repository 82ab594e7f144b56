// Long-running commands stop on Ctrl-C (SIGINT to the foreground group), SIGTERM or SIGHUP.
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Resolves on the first stop signal. The handlers stay installed: a second signal (GNU timeout
 * signals the child and then its whole group) must not kill the process half-way through its
 * shutdown, which would leave a server it started running.
 */
export function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    for (const sig of SIGNALS) process.on(sig, () => resolve());
  });
}
