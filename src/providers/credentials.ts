/**
 * Both credential tables behind one lookup by credential type, and what is derived from them for
 * every consumer: environment overrides per type, secret fields, labels, redaction, flags and the
 * rows of README's "Environment variables" section. Pure: no SDK.
 */
import { AZURE_AUTH, AZURE_FIELDS } from './azure-credentials.js';
import { S3_AUTH, S3_FIELDS } from './s3-credentials.js';
import { GCS_AUTH, GCS_FIELDS } from './gcs-credentials.js';
import type { AuthTypeSpec, CredentialField } from './credential-table.js';

export { firstEnv, envValue, type CredentialField, type FieldUse } from './credential-table.js';

const FIELDS: Record<string, CredentialField> = { ...AZURE_FIELDS, ...S3_FIELDS, ...GCS_FIELDS };
const TYPES: Record<string, AuthTypeSpec<string>> = { ...AZURE_AUTH, ...S3_AUTH, ...GCS_AUTH };

/** The declaration of a field (Azure, S3 and GCS field names do not collide). */
export function credentialField(name: string): CredentialField | undefined {
  return Object.hasOwn(FIELDS, name) ? FIELDS[name] : undefined;
}

/** The fields a credential type uses, in order, with their declarations. Unknown type: none. */
export function authFields(type: string): Array<{ name: string; use: string; question?: string; spec: CredentialField }> {
  const t = Object.hasOwn(TYPES, type) ? TYPES[type] : undefined;
  return (t?.fields ?? []).map((f) => ({ name: f.field, use: f.use, question: f.question, spec: FIELDS[f.field] }));
}

/** Environment variables that override each field of a type at use time: field → variables, first set wins. */
export function envOverrides(type: string): Record<string, readonly string[]> {
  return Object.fromEntries(authFields(type).flatMap((f) => (f.spec.env.length ? [[f.name, f.spec.env]] : [])));
}

/** Names of the fields of a type that hold secrets: masked by `show`, kept out of argv. */
export function secretFields(type: string): string[] {
  return authFields(type)
    .filter((f) => f.spec.secret)
    .map((f) => f.name);
}

/** The strings of a credential (of that type) that redaction must know: keys, client secrets, SAS signatures. */
export function credentialSecrets(type: string, auth: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const f of authFields(type)) {
    const v = auth[f.name];
    if (!f.spec.secret || typeof v !== 'string' || !v) continue;
    for (const s of f.spec.secretParts ? f.spec.secretParts(v) : [v]) if (s) out.push(s);
  }
  return out;
}

/** The Markdown rows README's "Environment variables" section lists for credentials, in table order. */
export function credentialEnvRows(): string[] {
  return Object.values(FIELDS).flatMap((f) => {
    if (!f.env.length || !f.envHelp) return [];
    const [first, ...alt] = f.env;
    return [`| \`${first}\`${alt.map((a) => ` (\`${a}\`)`).join('')} | ${f.envHelp} |`];
  });
}

/** Every environment variable the credential tables declare. */
export function credentialEnvVars(): string[] {
  return Object.values(FIELDS).flatMap((f) => f.env);
}
