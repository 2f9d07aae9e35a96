/**
 * `sas create` planning: presets, permission letters, expiry, IP range and protocol decided here
 * (pure, testable); the signing itself happens in providers/azure-sas.ts.
 */
import { UsageError } from '../errors.js';
import { parseFutureSpec, parseTimeSpec, formatDuration } from '../time.js';
import type { AzureTarget } from '../target.js';
import { normalizePermissions } from './parse.js';
import { PRESET_DESCRIPTIONS, SAS_PURPOSES, type SasPurpose } from './names.js';

export { SAS_FORMATS, type SasFormat } from './names.js';

export type SasSigning = 'service' | 'user-delegation';

export interface SasCreateFlags {
  permissions?: string;
  expires?: string;
  start?: string;
  container?: string;
  ip?: string;
  allowHttp?: boolean;
  for?: string;
}

export interface SasPlan {
  signing: SasSigning;
  account: string;
  serviceUrl: string;
  container: string;
  /** Path inside the container the token is meant for (not enforced by Azure; used by --format cloudflare). */
  path: string;
  permissions: string;
  start: Date;
  expiry: Date;
  ip?: { start: string; end?: string };
  protocol: 'https' | 'https,http';
  purpose?: SasPurpose;
  notes: string[];
}

const DAY = 86_400_000;
/** Azure caps a user delegation key, and so a user-delegation SAS, at 7 days. */
export const USER_DELEGATION_MAX_MS = 7 * DAY;

interface Preset {
  permissions: string;
  expires: string;
  describe: string;
}
export const PRESETS: Record<SasPurpose, Preset> = {
  // Cloudflare Logpush: write-only, container scope, valid at least five years. One extra day so the
  // token still has five full years left when it is pasted into the dashboard.
  logpush: { permissions: 'w', expires: '5y', describe: PRESET_DESCRIPTIONS.logpush },
  reader: { permissions: 'rl', expires: '7d', describe: PRESET_DESCRIPTIONS.reader },
};

export function signingFor(auth: AzureTarget['auth']): SasSigning {
  switch (auth.type) {
    case 'key':
      return 'service';
    case 'connection-string':
      return 'service'; // the provider checks it carries an AccountKey
    case 'service-principal':
    case 'device-code':
    case 'default':
      return 'user-delegation';
    case 'sas':
      throw new UsageError('cannot create a SAS from a SAS: signing needs the account key or an Entra ID identity', {
        hint: 'use an account key (AZURE_STORAGE_KEY, a connection string or a `--auth key` profile) or a service principal / `az login` identity with the Storage Blob Delegator role',
      });
    case 'anonymous':
      throw new UsageError('cannot create a SAS anonymously', {
        hint: 'use a profile or environment with the account key or an Entra ID identity',
      });
  }
}

function parseIp(text: string): { start: string; end?: string } {
  const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
  const [a, b, ...rest] = text.trim().split('-');
  if (rest.length || !ipv4.test(a) || (b !== undefined && !ipv4.test(b))) {
    throw new UsageError(`--ip: "${text}" is not an IPv4 address or range`, {
      hint: 'use 203.0.113.7 or 203.0.113.0-203.0.113.255 (SAS IP ranges are IPv4 only)',
    });
  }
  return b ? { start: a, end: b } : { start: a };
}

export function planSas(target: AzureTarget, flags: SasCreateFlags, now: Date = new Date()): SasPlan {
  const notes: string[] = [];
  let purpose: SasPurpose | undefined;
  if (flags.for !== undefined) {
    if (!(SAS_PURPOSES as readonly string[]).includes(flags.for)) {
      throw new UsageError(`--for: unknown preset "${flags.for}"`, {
        hint: `presets: ${SAS_PURPOSES.map((p) => `${p} (${PRESETS[p].describe})`).join('; ')}`,
      });
    }
    purpose = flags.for as SasPurpose;
  }
  const signing = signingFor(target.auth);
  const preset = purpose ? PRESETS[purpose] : undefined;
  const letters = flags.permissions ?? preset?.permissions;
  if (!letters) {
    throw new UsageError('say what the token may do: --permissions LETTERS or a preset --for logpush|reader', {
      hint: 'e.g. --permissions rl (read + list) or --for logpush (write-only, 5 years)',
    });
  }
  const permissions = normalizePermissions(letters);
  if (!permissions) throw new UsageError('--permissions is empty', { hint: 'e.g. --permissions rl' });

  const start = flags.start ? parseTimeSpec(flags.start, '--start', now) : new Date(now.getTime() - 15 * 60_000); // clock skew
  let expiry: Date;
  if (flags.expires) expiry = parseFutureSpec(flags.expires, '--expires', now);
  else if (preset) {
    expiry = parseFutureSpec(preset.expires, '--expires', now);
    if (purpose === 'logpush') expiry = new Date(expiry.getTime() + DAY);
  } else {
    expiry = new Date(now.getTime() + 7 * DAY);
    notes.push('no --expires given: the token is valid for 7 days');
  }
  if (expiry.getTime() <= now.getTime())
    throw new UsageError(`--expires ${flags.expires} is in the past`, { hint: 'give a duration like 30d or 5y, or a future date' });
  if (expiry.getTime() <= start.getTime()) throw new UsageError('the expiry is before the start', { hint: 'check --start and --expires' });

  if (purpose === 'logpush') {
    const fiveYears = parseFutureSpec('5y', '--expires', now);
    if (expiry.getTime() < fiveYears.getTime()) {
      throw new UsageError(
        `Cloudflare Logpush needs a token valid for at least 5 years; --expires ${flags.expires} is ${formatDuration(expiry.getTime() - now.getTime())}`,
        {
          hint: 'drop --expires (the preset uses 5 years) or give 5y or more',
        },
      );
    }
    if (permissions !== 'w') notes.push(`--permissions ${permissions} is broader than Logpush needs (w)`);
  }
  if (purpose === 'reader' && permissions !== 'rl') notes.push(`--permissions ${permissions} is broader or different from a reader's (rl)`);

  if (signing === 'user-delegation' && expiry.getTime() - Math.max(start.getTime(), now.getTime()) > USER_DELEGATION_MAX_MS) {
    throw new UsageError('a user-delegation SAS (signed with an Entra ID identity) can last at most 7 days', {
      hint:
        purpose === 'logpush'
          ? 'a 5-year Logpush token must be signed with the account key: use AZURE_STORAGE_KEY, a connection string or a `--auth key` profile'
          : 'shorten --expires to 7d or less, or sign with the account key',
    });
  }

  const container = flags.container ?? target.container;
  if (!container) {
    throw new UsageError('which container? a SAS from `archive sas create` is scoped to one container', {
      hint: 'give az://ACCOUNT/CONTAINER, PROFILE:CONTAINER or --container NAME',
    });
  }
  const path = flags.container && flags.container !== target.container ? '' : target.prefix;
  if (path)
    notes.push(
      `a SAS cannot be limited to a prefix: it covers the whole container "${container}" (the path "${path}" is only used by --format cloudflare)`,
    );

  const httpEndpoint = target.serviceUrl.startsWith('http://');
  const protocol = flags.allowHttp || httpEndpoint ? 'https,http' : 'https';
  if (httpEndpoint && !flags.allowHttp) notes.push('the endpoint is plain http (an emulator?), so the token allows http too');

  // SAS times have second precision; keep what is printed equal to what is signed.
  start.setUTCMilliseconds(0);
  expiry.setUTCMilliseconds(0);
  return {
    signing,
    account: target.account,
    serviceUrl: target.serviceUrl,
    container,
    path,
    permissions,
    start,
    expiry,
    ip: flags.ip ? parseIp(flags.ip) : undefined,
    protocol,
    purpose,
    notes,
  };
}

export function containerUrl(plan: SasPlan, token: string): string {
  return `${plan.serviceUrl.replace(/\/+$/, '')}/${encodeURIComponent(plan.container)}?${token}`;
}

/** Cloudflare Logpush's Azure destination: azure://CONTAINER[/PATH]?SAS */
export function cloudflareDestination(plan: SasPlan, token: string): string {
  const path = plan.path.replace(/^\/+|\/+$/g, '');
  return `azure://${plan.container}${path ? `/${path.split('/').map(encodeURIComponent).join('/')}` : ''}?${token}`;
}
