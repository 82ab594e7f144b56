/** One problem in an EFI message: where (an XML-ish path) and why. */
export interface EfiIssue {
  /** e.g. "StorageSystemDescription/actuatorBehaviours/actuatorBehaviour[0]/@actuatorId"; [i] counts from 0. */
  readonly path: string;
  readonly reason: string;
}

/** An EFI message that cannot be read or written; `issues` lists every problem found. */
export class EfiError extends Error {
  readonly issues: readonly EfiIssue[];

  constructor(issues: readonly EfiIssue[]) {
    const first = issues[0] ?? { path: "", reason: "invalid EFI message" };
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(`${first.path ? `${first.path}: ` : ""}${first.reason}${more}`);
    this.name = new.target.name;
    this.issues = issues;
  }

  /** Path of the first issue. */
  get path(): string {
    return this.issues[0]?.path ?? "";
  }

  /** Reason of the first issue. */
  get reason(): string {
    return this.issues[0]?.reason ?? "";
  }
}

/** Input that is not a valid EFI 2.0 message. */
export class EfiDecodeError extends EfiError {}

/** A value that is not a valid EFI message, so it was not written. */
export class EfiEncodeError extends EfiError {}
