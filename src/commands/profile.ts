import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { mask } from '../redact.js';
import { stdoutColor } from '../output/color.js';
import { configDir, profilesPath, readProfiles, updateProfiles, checkProfileName, unknownProfile } from '../profiles/store.js';
import { buildProfile, terminalInputs, type AddFlags } from '../profiles/build.js';
import { effectiveAuth, profileLocation, ENV_OVERRIDES, S3_LOCATION_ENV } from '../profiles/resolve.js';
import { SECRET_FIELDS, AZURE_AUTH_TYPES, S3_AUTH_TYPES, type Profile } from '../profiles/types.js';
import { parseSas } from '../sas/parse.js';
import { inspectSas, describeLeft, iso } from '../sas/inspect.js';

interface AddCmdFlags extends AddFlags {
  default?: boolean;
  force?: boolean;
}

export async function runProfileAdd(name: string, location: string | undefined, flags: AddCmdFlags): Promise<void> {
  checkProfileName(name);
  const path = profilesPath();
  // Fail on an existing name before asking for any secret.
  const existing = await readProfiles(path);
  if (existing.profiles[name] && !flags.force) {
    throw new UsageError(`profile "${name}" already exists`, { hint: `replace it with --force, or remove it first: archive profile remove ${name}` });
  }
  const { profile, notes } = await buildProfile(name, location, flags, terminalInputs());
  const madeDefault = await updateProfiles(path, configDir(), (f) => {
    const before = f.profiles[name];
    if (before && !flags.force) throw new UsageError(`profile "${name}" already exists`, { hint: 'replace it with --force' });
    if (before?.created) profile.created = before.created;
    f.profiles[name] = profile;
    if (flags.default || !f.default) {
      f.default = name;
      return true;
    }
    return false;
  });
  for (const n of notes) process.stderr.write(`${n.startsWith('warning:') ? '' : 'note: '}${n}\n`);
  process.stdout.write(`saved profile ${name}: ${profileLocation(profile)} (${profile.auth.type})${madeDefault ? ', default' : ''}\n`);
  process.stderr.write(`check what it can do: archive validate ${name}:${profile.provider === 'azure' && !profile.container ? 'CONTAINER' : ''}\n`);
}

export async function runProfileList(flags: { json?: boolean }): Promise<void> {
  const path = profilesPath();
  const f = await readProfiles(path);
  const def = process.env.ARCHIVE_PROFILE ?? f.default;
  const names = Object.keys(f.profiles).sort();
  if (flags.json) {
    process.stdout.write(
      JSON.stringify(
        names.map((n) => {
          const p = f.profiles[n];
          return { name: n, default: n === def, provider: p.provider, auth: p.auth.type, location: profileLocation(p), layout: p.layout, description: p.description };
        }),
        null,
        2,
      ) + '\n',
    );
    return;
  }
  if (!names.length) {
    process.stderr.write(`no profiles yet (${path}); add one with \`archive profile add NAME LOCATION\`\n`);
    return;
  }
  const c = stdoutColor();
  const rows = names.map((n) => {
    const p = f.profiles[n];
    return [n === def ? '*' : ' ', n, p.provider, p.auth.type, p.layout ?? '', profileLocation(p)];
  });
  const head = [' ', 'NAME', 'PROVIDER', 'AUTH', 'LAYOUT', 'LOCATION'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]))).join('  ');
  if (process.stdout.isTTY) process.stdout.write(c.bold(fmt(head)) + '\n');
  for (const r of rows) process.stdout.write(fmt(r) + '\n');
}

const LABELS: Record<string, string> = {
  token: 'SAS token',
  accountKey: 'account key',
  connectionString: 'connection string',
  tenantId: 'tenant id',
  clientId: 'client id',
  clientSecret: 'client secret',
  authorityHost: 'authority host',
  accessKeyId: 'access key id',
  secretAccessKey: 'secret access key',
  sessionToken: 'session token',
  awsProfile: 'AWS profile',
  roleArn: 'role ARN',
  externalId: 'external id',
  sessionName: 'session name',
};

function shown(field: string, value: unknown, secret: boolean): string {
  if (value === undefined || value === '') return '(not stored)';
  const v = String(value);
  if (!secret) return v;
  if (field === 'token') return `${v.replace(/(^|&)sig=[^&]*/i, '$1sig=REDACTED')}`;
  if (field === 'connectionString') return v.replace(/(AccountKey=)[^;]+/i, (_m, k: string) => `${k}${mask(v.match(/AccountKey=([^;]+)/i)?.[1])}`).replace(/(SharedAccessSignature=[^;]*sig=)[^&;]+/i, '$1REDACTED');
  return mask(v);
}

export async function runProfileShow(name: string, flags: { json?: boolean }): Promise<void> {
  const path = profilesPath();
  const f = await readProfiles(path);
  const p: Profile | undefined = Object.hasOwn(f.profiles, name) ? f.profiles[name] : undefined;
  if (!p) throw unknownProfile(name, f, path);
  const secrets = new Set(SECRET_FIELDS[p.auth.type] ?? []);
  const { overridden } = effectiveAuth(p, process.env);
  const fields = Object.keys(ENV_OVERRIDES[p.auth.type] ?? {}).concat(Object.keys(p.auth).filter((k) => k !== 'type' && !(k in (ENV_OVERRIDES[p.auth.type] ?? {}))));
  const authFields = fields.map((k) => ({
    field: k,
    label: LABELS[k] ?? k,
    value: shown(k, (p.auth as Record<string, unknown>)[k], secrets.has(k)),
    secret: secrets.has(k),
    stored: (p.auth as Record<string, unknown>)[k] !== undefined,
    env: ENV_OVERRIDES[p.auth.type]?.[k] ?? [],
    overriddenBy: overridden[k],
  }));
  let sas: { expiry?: string; left: string; expired: boolean; permissions: string } | undefined;
  const token = p.auth.type === 'sas' ? p.auth.token : undefined;
  if (token) {
    try {
      const r = inspectSas(parseSas(token));
      sas = { expiry: r.info.expiry?.toISOString(), left: describeLeft(r), expired: r.expired, permissions: r.info.permissions };
    } catch {
      /* shown as stored */
    }
  }
  const def = (process.env.ARCHIVE_PROFILE ?? f.default) === name;
  const loc: Array<[string, string]> = [];
  if (p.provider === 'azure') {
    loc.push(['account', p.account], ['endpoint', p.serviceUrl], ['container', p.container ?? '(first segment of NAME:PATH)']);
  } else {
    loc.push(['bucket', p.bucket ?? '(first segment of NAME:PATH)'], ['region', p.region ?? '(from AWS_REGION or the AWS config)'], ['endpoint', p.endpoint ?? '(AWS)']);
    if (p.forcePathStyle) loc.push(['path style', 'yes']);
  }
  if (p.prefix) loc.push(['prefix', p.prefix]);
  if (flags.json) {
    process.stdout.write(
      JSON.stringify(
        {
          name,
          default: def,
          provider: p.provider,
          location: profileLocation(p),
          ...Object.fromEntries(loc.map(([k, v]) => [k.replace(/ (\w)/g, (_m, ch: string) => ch.toUpperCase()), v])),
          layout: p.layout,
          description: p.description,
          auth: { type: p.auth.type, fields: authFields },
          sas,
          locationEnv: p.provider === 's3' ? S3_LOCATION_ENV : undefined,
          created: p.created,
          updated: p.updated,
          file: path,
        },
        null,
        2,
      ) + '\n',
    );
    return;
  }
  const rows: Array<[string, string]> = [['name', `${name}${def ? ' (default)' : ''}`], ['provider', p.provider], ['location', profileLocation(p)], ...loc];
  rows.push(['auth', p.auth.type]);
  for (const a of authFields) {
    let v = a.value;
    if (a.overriddenBy) v += `  (overridden by ${a.overriddenBy})`;
    else if (!a.stored && a.env.length) v = `(not stored; taken from ${a.env.join(' or ')} when set)`;
    rows.push([`  ${a.label}`, v]);
  }
  if (sas) rows.push(['  SAS expiry', `${sas.expiry ? iso(new Date(sas.expiry)) : '?'} (${sas.left}), permissions ${sas.permissions}`]);
  if (p.layout) rows.push(['layout', p.layout]);
  if (p.description) rows.push(['description', p.description]);
  if (p.updated) rows.push(['updated', p.updated]);
  rows.push(['file', path]);
  const w = Math.max(...rows.map(([k]) => k.length)) + 2;
  process.stdout.write(rows.map(([k, v]) => `${(k + ':').padEnd(w)}${v}`).join('\n') + '\n');
}

export async function runProfileRemove(name: string): Promise<void> {
  const path = profilesPath();
  const wasDefault = await updateProfiles(path, configDir(), (f) => {
    if (!Object.hasOwn(f.profiles, name)) throw unknownProfile(name, f, path);
    delete f.profiles[name];
    if (f.default === name) {
      delete f.default;
      return true;
    }
    return false;
  });
  process.stdout.write(`removed profile ${name}${wasDefault ? ' (it was the default; pick another with `archive profile use NAME`)' : ''}\n`);
}

export async function runProfileUse(name: string | undefined, flags: { unset?: boolean }): Promise<void> {
  const path = profilesPath();
  if (flags.unset || !name) {
    if (!flags.unset) throw new UsageError('which profile?', { hint: 'archive profile use NAME (or --unset to clear the default)' });
    await updateProfiles(path, configDir(), (f) => {
      delete f.default;
    });
    process.stdout.write('no default profile\n');
    return;
  }
  await updateProfiles(path, configDir(), (f) => {
    if (!Object.hasOwn(f.profiles, name)) throw unknownProfile(name, f, path);
    f.default = name;
  });
  process.stdout.write(`default profile: ${name}\n`);
  if (process.env.ARCHIVE_PROFILE && process.env.ARCHIVE_PROFILE !== name) process.stderr.write(`note: ARCHIVE_PROFILE=${process.env.ARCHIVE_PROFILE} is set and takes precedence\n`);
}

export function registerProfile(program: Command): void {
  const profile = program.command('profile').description('saved locations and credentials (used as PROFILE:PREFIX)');

  profile
    .command('add')
    .description('save a location and its credential under a name')
    .argument('<name>', 'profile name (letters, digits, . _ -)')
    .argument('[location]', 'az://ACCOUNT/CONTAINER/PREFIX, blob URL (a SAS URL saves the SAS), s3://BUCKET/PREFIX')
    .option('--auth <type>', `credential: Azure ${AZURE_AUTH_TYPES.join('|')}; S3 ${S3_AUTH_TYPES.join('|')} (inferred when omitted)`)
    .option('--account <name>', 'Azure storage account (env AZURE_STORAGE_ACCOUNT)')
    .option('--container <name>', 'Azure container (omit to name it per use: NAME:CONTAINER/PREFIX)')
    .option('--bucket <name>', 'S3 bucket (omit to name it per use: NAME:BUCKET/PREFIX)')
    .option('--prefix <prefix>', 'key prefix that NAME:PATH starts from')
    .option('--endpoint <url>', 'Azure blob endpoint or S3-compatible endpoint (env AWS_ENDPOINT_URL_S3)')
    .option('--region <region>', 'S3 region (env AWS_REGION)')
    .option('--path-style', 'S3 path-style addressing (implied by --endpoint)')
    .option('--sas <token>', 'SAS token (prefer a SAS URL as LOCATION, --secret-stdin or AZURE_STORAGE_SAS_TOKEN)')
    .option('--tenant-id <id>', 'Entra tenant id, for service-principal and device-code (env AZURE_TENANT_ID)')
    .option('--client-id <id>', 'Entra application (client) id (env AZURE_CLIENT_ID)')
    .option('--authority-host <url>', 'Entra authority for sovereign clouds (env AZURE_AUTHORITY_HOST)')
    .option('--access-key-id <id>', 'S3 access key id (env AWS_ACCESS_KEY_ID)')
    .option('--aws-profile <name>', 'named AWS profile from ~/.aws for chain/assume-role (env AWS_PROFILE)')
    .option('--role-arn <arn>', 'IAM role to assume, e.g. the one Logz.io gives you (env ARCHIVE_ROLE_ARN)')
    .option('--external-id <id>', 'external id for the role (env ARCHIVE_EXTERNAL_ID)')
    .option('--session-name <name>', 'role session name')
    .option('--secret-stdin', 'read the secret (SAS, account key, connection string, client secret, secret access key) from stdin')
    .option('--secret-file <path>', 'read the secret from a file')
    .option('--session-token-file <path>', 'S3 session token from a file (env AWS_SESSION_TOKEN)')
    .option('--no-store-secret', 'keep the secret out of the file; supply it through the environment at use time')
    .option('--layout <name>', 'default vendor layout for this location (vespa, cloudflare, amplitude, logzio, dated, generic)')
    .option('--description <text>', 'a note for `profile list`')
    .option('--default', 'make it the default profile')
    .option('--force', 'replace an existing profile of that name')
    .addHelpText(
      'after',
      `
Secrets are read from --secret-stdin, --secret-file, the environment, or a hidden prompt (on a
terminal only) — not from argv. The file is ${'$'}XDG_CONFIG_HOME/archive/profiles.json (mode 600;
ARCHIVE_CONFIG_DIR overrides the directory). At use time, environment variables override the
stored values of the profile's own credential type (AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN,
AZURE_STORAGE_CONNECTION_STRING, AZURE_TENANT_ID/CLIENT_ID/CLIENT_SECRET/AUTHORITY_HOST,
AWS_ACCESS_KEY_ID+AWS_SECRET_ACCESS_KEY[+AWS_SESSION_TOKEN], AWS_PROFILE, ARCHIVE_ROLE_ARN,
ARCHIVE_EXTERNAL_ID), and AWS_REGION / AWS_ENDPOINT_URL_S3 the S3 location; flags beat both.

Examples:
  archive profile add vespa "https://acct.blob.core.windows.net/vespa-logs?sv=…&sig=…" --layout vespa
  pbpaste | archive profile add cf az://acct/logpush --auth key --secret-stdin --layout cloudflare
  archive profile add amp az://acct/amplitude --auth service-principal --tenant-id T --client-id C --secret-file sp.txt
  archive profile add vespa-guest az://acct/logs --auth device-code --tenant-id VESPA_TENANT_ID
  archive profile add logzio s3://my-archive --auth assume-role --role-arn arn:aws:iam::123456789012:role/logzio --external-id X
  archive profile add r2 s3://logs --endpoint https://ID.r2.cloudflarestorage.com --auth keys --access-key-id AKID --secret-stdin`,
    )
    .action(async (name: string, location: string | undefined, flags: AddCmdFlags) => runProfileAdd(name, location, flags));

  profile
    .command('list')
    .alias('ls')
    .description('list saved profiles (* marks the default)')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => runProfileList(flags));

  profile
    .command('show')
    .description('show a profile, secrets masked, with the environment variables that override it')
    .argument('<name>')
    .option('--json', 'print JSON (secrets masked too)')
    .action(async (name: string, flags: { json?: boolean }) => runProfileShow(name, flags));

  profile
    .command('remove')
    .alias('rm')
    .description('delete a saved profile')
    .argument('<name>')
    .action(async (name: string) => runProfileRemove(name));

  profile
    .command('use')
    .description('make a profile the default (for commands run without a location; ARCHIVE_PROFILE overrides)')
    .argument('[name]')
    .option('--unset', 'clear the default')
    .action(async (name: string | undefined, flags: { unset?: boolean }) => runProfileUse(name, flags));
}
