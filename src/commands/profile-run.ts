/**
 * `archive profile …` runs: each calls the profile store and builder (src/profiles/) and renders.
 * Loaded on first use. Everything outside the arguments comes through `io` (streams, environment).
 */
import { UsageError } from '../errors.js';
import { mask } from '../redact.js';
import type { Io } from '../io.js';
import { resolveOutputFormat, type OutputFlags } from '../output/output-format.js';
import { LineWriter } from '../output/writer.js';
import { stdoutColor } from '../output/color.js';
import { configDir, profilesPath, readProfiles, updateProfiles, checkProfileName, unknownProfile } from '../profiles/store.js';
import { buildProfile, terminalInputs, type AddFlags } from '../profiles/build.js';
import { effectiveAuth, profileLocation, ENV_OVERRIDES, S3_LOCATION_ENV } from '../profiles/resolve.js';
import { SECRET_FIELDS, type Profile } from '../profiles/types.js';
import { parseSas } from '../sas/parse.js';
import { credentialField } from '../providers/credentials.js';
import { inspectSas, describeLeft, iso } from '../sas/inspect.js';

export interface AddCmdFlags extends AddFlags {
  default?: boolean;
  force?: boolean;
}

export async function runProfileAdd(name: string, location: string | undefined, flags: AddCmdFlags, io: Io): Promise<void> {
  checkProfileName(name);
  const path = profilesPath(io.env);
  // Fail on an existing name before asking for any secret.
  const existing = await readProfiles(path);
  if (existing.profiles[name] && !flags.force) {
    throw new UsageError(`profile "${name}" already exists`, {
      hint: `replace it with --force, or remove it first: archive profile remove ${name}`,
    });
  }
  const { profile, notes } = await buildProfile(name, location, flags, terminalInputs(io));
  const madeDefault = await updateProfiles(path, configDir(io.env), (f) => {
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
  for (const n of notes) io.stderr.write(`${n.startsWith('warning:') ? '' : 'note: '}${n}\n`);
  const pays =
    profile.provider === 's3' && profile.requestPayer
      ? ', requester pays'
      : profile.provider === 'gcs' && profile.userProject
        ? `, billed to ${profile.userProject}`
        : '';
  io.stdout.write(`saved profile ${name}: ${profileLocation(profile)} (${profile.auth.type}${pays})${madeDefault ? ', default' : ''}\n`);
  io.stderr.write(
    `check what it can do: archive validate ${name}:${profile.provider === 'azure' && !profile.container ? 'CONTAINER' : ''}\n`,
  );
}

export interface ListFlags extends OutputFlags {}

/** The machine-readable row of one profile (no credential in it). */
function listEntry(n: string, p: Profile, def: string | undefined) {
  return {
    name: n,
    default: n === def,
    provider: p.provider,
    auth: p.auth.type,
    location: profileLocation(p),
    layout: p.layout,
    description: p.description,
  };
}

export async function runProfileList(flags: ListFlags, io: Io): Promise<void> {
  const format = resolveOutputFormat(flags, ['table', 'json', 'ndjson']);
  const path = profilesPath(io.env);
  const f = await readProfiles(path);
  const def = io.env.ARCHIVE_PROFILE ?? f.default;
  const names = Object.keys(f.profiles).sort();
  const out = new LineWriter(io.stdout);
  if (format === 'json') {
    await out.line(
      JSON.stringify(
        names.map((n) => listEntry(n, f.profiles[n], def)),
        null,
        2,
      ),
    );
    return out.flush();
  }
  if (format === 'ndjson') {
    for (const n of names) await out.line(JSON.stringify(listEntry(n, f.profiles[n], def)));
    return out.flush();
  }
  if (!names.length) {
    io.stderr.write(`no profiles yet (${path}); add one with \`archive profile add NAME LOCATION\`\n`);
    return;
  }
  const c = stdoutColor(io);
  const rows = names.map((n) => {
    const p = f.profiles[n];
    return [n === def ? '*' : ' ', n, p.provider, p.auth.type, p.layout ?? '', profileLocation(p)];
  });
  const head = [' ', 'NAME', 'PROVIDER', 'AUTH', 'LAYOUT', 'LOCATION'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]))).join('  ');
  if (io.stdout.isTTY) await out.line(c.bold(fmt(head)));
  for (const r of rows) await out.line(fmt(r));
  await out.flush();
}

/** A stored credential value as `profile show` prints it: secrets masked the way their table entry says. */
function shown(field: string, value: unknown, secret: boolean): string {
  if (value === undefined || value === '') return '(not stored)';
  const v = String(value);
  if (!secret) return v;
  return (credentialField(field)?.show ?? mask)(v);
}

export async function runProfileShow(name: string, flags: OutputFlags, io: Io): Promise<void> {
  const format = resolveOutputFormat(flags, ['table', 'json']);
  const path = profilesPath(io.env);
  const f = await readProfiles(path);
  const p: Profile | undefined = Object.hasOwn(f.profiles, name) ? f.profiles[name] : undefined;
  if (!p) throw unknownProfile(name, f, path);
  const secrets = new Set(SECRET_FIELDS[p.auth.type] ?? []);
  const { overridden } = effectiveAuth(p, io.env);
  const fields = Object.keys(ENV_OVERRIDES[p.auth.type] ?? {}).concat(
    Object.keys(p.auth).filter((k) => k !== 'type' && !(k in (ENV_OVERRIDES[p.auth.type] ?? {}))),
  );
  const authFields = fields.map((k) => ({
    field: k,
    label: credentialField(k)?.label ?? k,
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
  const def = (io.env.ARCHIVE_PROFILE ?? f.default) === name;
  const loc: Array<[string, string]> = [];
  if (p.provider === 'azure') {
    loc.push(['account', p.account], ['endpoint', p.serviceUrl], ['container', p.container ?? '(first segment of NAME:PATH)']);
  } else if (p.provider === 'gcs') {
    loc.push(['bucket', p.bucket ?? '(first segment of NAME:PATH)'], ['endpoint', p.endpoint ?? '(storage.googleapis.com)']);
    if (p.userProject) loc.push(['user project', p.userProject]);
  } else {
    loc.push(
      ['bucket', p.bucket ?? '(first segment of NAME:PATH)'],
      ['region', p.region ?? '(from AWS_REGION or the AWS config)'],
      ['endpoint', p.endpoint ?? '(AWS)'],
    );
    if (p.forcePathStyle) loc.push(['path style', 'yes']);
    if (p.requestPayer) loc.push(['request payer', p.requestPayer]);
  }
  if (p.prefix) loc.push(['prefix', p.prefix]);
  if (format === 'json') {
    io.stdout.write(
      `${JSON.stringify(
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
      )}\n`,
    );
    return;
  }
  const rows: Array<[string, string]> = [
    ['name', `${name}${def ? ' (default)' : ''}`],
    ['provider', p.provider],
    ['location', profileLocation(p)],
    ...loc,
  ];
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
  io.stdout.write(`${rows.map(([k, v]) => `${(`${k}:`).padEnd(w)}${v}`).join('\n')}\n`);
}

export async function runProfileRemove(name: string, io: Io): Promise<void> {
  const path = profilesPath(io.env);
  const wasDefault = await updateProfiles(path, configDir(io.env), (f) => {
    if (!Object.hasOwn(f.profiles, name)) throw unknownProfile(name, f, path);
    delete f.profiles[name];
    if (f.default === name) {
      delete f.default;
      return true;
    }
    return false;
  });
  io.stdout.write(`removed profile ${name}${wasDefault ? ' (it was the default; pick another with `archive profile use NAME`)' : ''}\n`);
}

export async function runProfileUse(name: string | undefined, flags: { unset?: boolean }, io: Io): Promise<void> {
  const path = profilesPath(io.env);
  if (flags.unset || !name) {
    if (!flags.unset) throw new UsageError('which profile?', { hint: 'archive profile use NAME (or --unset to clear the default)' });
    await updateProfiles(path, configDir(io.env), (f) => {
      delete f.default;
    });
    io.stdout.write('no default profile\n');
    return;
  }
  await updateProfiles(path, configDir(io.env), (f) => {
    if (!Object.hasOwn(f.profiles, name)) throw unknownProfile(name, f, path);
    f.default = name;
  });
  io.stdout.write(`default profile: ${name}\n`);
  if (io.env.ARCHIVE_PROFILE && io.env.ARCHIVE_PROFILE !== name)
    io.stderr.write(`note: ARCHIVE_PROFILE=${io.env.ARCHIVE_PROFILE} is set and takes precedence\n`);
}
