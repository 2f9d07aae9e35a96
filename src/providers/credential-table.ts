/**
 * The shape of a provider's credential table (azure-credentials.ts, s3-credentials.ts). As in
 * rclone's backend Options, every credential field is declared once — its words, its flag, its
 * environment variables, whether it is a secret, its help — and everything else is derived from
 * the table: the environment overrides of target resolution and of saved profiles, the fields
 * `profile add` gathers per credential type, `profile show`'s masking and labels, the secrets
 * registered for redaction, and README's "Environment variables" section (a test compares them).
 * Pure data and small pure functions: no SDK is imported here.
 */

/** One credential (or location) value. */
export interface CredentialField {
  /** Words for messages and `profile show`: "profile "x" has no account key". */
  readonly label: string;
  /** What `profile add` asks and names when the value is missing (default: label). */
  readonly question?: string;
  /** The `profile add` option that gives it, as commander spells it, and its help line. */
  readonly flag?: { readonly spec: string; readonly help: string };
  /** Environment variables, first non-empty wins. */
  readonly env: readonly string[];
  /** README's "Environment variables" row for these variables (absent: the field has none). */
  readonly envHelp?: string;
  /** Masked by `profile show`, registered for redaction, never taken from argv by `profile add`. */
  readonly secret: boolean;
  /** For a secret: the parts of the value that must never be printed (default: the whole value). */
  readonly secretParts?: (value: string) => Array<string | undefined>;
  /** For a secret: how `profile show` prints it (default: redact.mask, the first 4 characters). */
  readonly show?: (value: string) => string;
}

/**
 * How one credential type uses a field in `profile add`:
 *  - required: flag, else environment, else (on a terminal) a prompt; missing is a usage error.
 *    Required fields are also required at use time ("profile has no …").
 *  - optional: as required, but a blank answer or no terminal leaves it out.
 *  - quiet: flag, else environment; never prompted.
 *  - flag: the flag only (the environment overrides it at use time, if the field has variables).
 * Secrets are gathered through --secret-file / --secret-stdin / environment / hidden prompt instead.
 */
export type FieldUse = 'required' | 'optional' | 'quiet' | 'flag';

export interface AuthTypeSpec<F extends string> {
  /** What the type is, for help text. */
  readonly help: string;
  /** Fields in the order `profile add` gathers them and `profile show` lists them. */
  readonly fields: ReadonlyArray<{ readonly field: F; readonly use: FieldUse; readonly question?: string }>;
}

/** The first variable of `vars` set to a non-empty value, and its value. */
export function firstEnv(vars: readonly string[] | undefined, env: NodeJS.ProcessEnv): { name: string; value: string } | undefined {
  for (const name of vars ?? []) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

/** The value of the first non-empty variable of `vars`, or undefined. */
export function envValue(vars: readonly string[], env: NodeJS.ProcessEnv): string | undefined {
  return firstEnv(vars, env)?.value;
}
