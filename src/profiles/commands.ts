/**
 * `archive profile …` runs. Loaded on first use.
 */
import { UsageError } from '../errors.js';
import { mask } from '../redact.js';
import { stdoutColor } from '../output/color.js';
import { configDir, profilesPath, readProfiles, updateProfiles, checkProfileName, unknownProfile } from './store.js';
import { buildProfile, terminalInputs, type AddFlags } from './build.js';
import { effectiveAuth, profileLocation, ENV_OVERRIDES, S3_LOCATION_ENV } from './resolve.js';
import { SECRET_FIELDS, type Profile } from './types.js';
import { parseSas } from '../sas/parse.js';
import { credentialField } from '../providers/credentials.js';
import { inspectSas, describeLeft, iso } from '../sas/inspect.js';

export interface AddCmdFlags extends AddFlags {
  default?: boolean;
  force?: boolean;
}

export async function runProfileAdd(name: string, location: string | undefined, flags: AddCmdFlags): Promise<void> {
  checkProfileName(name);
  const path = profilesPath();
  // Fail on an existing name before asking for any secret.
  const existing = await readProfiles(path);
  if (existing.profiles[name] && !flags.force) {
    throw new UsageError(`profile "${name}" already exists`, {
      hint: `replace it with --force, or remove it first: archive profile remove ${name}`,
    });
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
  process.stderr.write(
    `check what it can do: archive validate ${name}:${profile.provider === 'azure' && !profile.container ? 'CONTAINER' : ''}\n`,
  );
}

export async function runProfileList(flags: { json?: boolean }): Promise<void> {
  const path = profilesPath();
  const f = await readProfiles(path);
  const def = process.env.ARCHIVE_PROFILE ?? f.default;
  const names = Object.keys(f.profiles).sort();
  if (flags.json) {
    process.stdout.write(
      `${JSON.stringify(
        names.map((n) => {
          const p = f.profiles[n];
          return {
            name: n,
            default: n === def,
            provider: p.provider,
            auth: p.auth.type,
            location: profileLocation(p),
            layout: p.layout,
            description: p.description,
          };
        }),
        null,
        2,
      )}\n`,
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
  if (process.stdout.isTTY) process.stdout.write(`${c.bold(fmt(head))}\n`);
  for (const r of rows) process.stdout.write(`${fmt(r)}\n`);
}

/** A stored credential value as `profile show` prints it: secrets masked the way their table entry says. */
function shown(field: string, value: unknown, secret: boolean): string {
  if (value === undefined || value === '') return '(not stored)';
  const v = String(value);
  if (!secret) return v;
  return (credentialField(field)?.show ?? mask)(v);
}

export async function runProfileShow(name: string, flags: { json?: boolean }): Promise<void> {
  const path = profilesPath();
  const f = await readProfiles(path);
  const p: Profile | undefined = Object.hasOwn(f.profiles, name) ? f.profiles[name] : undefined;
  if (!p) throw unknownProfile(name, f, path);
  const secrets = new Set(SECRET_FIELDS[p.auth.type] ?? []);
  const { overridden } = effectiveAuth(p, process.env);
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
  const def = (process.env.ARCHIVE_PROFILE ?? f.default) === name;
  const loc: Array<[string, string]> = [];
  if (p.provider === 'azure') {
    loc.push(['account', p.account], ['endpoint', p.serviceUrl], ['container', p.container ?? '(first segment of NAME:PATH)']);
  } else {
    loc.push(
      ['bucket', p.bucket ?? '(first segment of NAME:PATH)'],
      ['region', p.region ?? '(from AWS_REGION or the AWS config)'],
      ['endpoint', p.endpoint ?? '(AWS)'],
    );
    if (p.forcePathStyle) loc.push(['path style', 'yes']);
  }
  if (p.prefix) loc.push(['prefix', p.prefix]);
  if (flags.json) {
    process.stdout.write(
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
  process.stdout.write(`${rows.map(([k, v]) => `${(`${k}:`).padEnd(w)}${v}`).join('\n')}\n`);
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
  process.stdout.write(
    `removed profile ${name}${wasDefault ? ' (it was the default; pick another with `archive profile use NAME`)' : ''}\n`,
  );
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
  if (process.env.ARCHIVE_PROFILE && process.env.ARCHIVE_PROFILE !== name)
    process.stderr.write(`note: ARCHIVE_PROFILE=${process.env.ARCHIVE_PROFILE} is set and takes precedence\n`);
}
