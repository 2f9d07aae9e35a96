/**
 * What a SAS allows, in words, and what is wrong with it: expired, expiring soon, not yet valid,
 * or broader than the job needs. Pure (the clock is passed in).
 */
import { formatDuration, isoUtc as iso } from '../time.js';
import { isDeleting, isWriting, PERMISSION_ORDER, spellPermissions, type SasInfo } from './parse.js';

import type { SasPurpose } from './names.js';
import { escapeText } from '../output/escape.js';

export { SAS_PURPOSES, type SasPurpose } from './names.js';

export interface SasWarning {
  code: string;
  message: string;
}

export interface SasReport {
  info: SasInfo;
  expired: boolean;
  notYetValid: boolean;
  /** Milliseconds until expiry (negative when expired); undefined when the expiry is in a stored policy. */
  msLeft?: number;
  warnings: SasWarning[];
}

const DAY = 86_400_000;
const FIVE_YEARS_DAYS = 5 * 365 + 1; // five calendar years contain at least one leap day

/**
 * "Expiring soon" without --warn-days is relative to the token's own lifetime when its start is
 * known: a 7-day reader token made by `sas create --for reader` is not "within 30 days" on its
 * first day, but it is in its last 1.4 days (never later than 30 days before the end). An
 * explicit --warn-days N means what its help says: warn when it expires within N days.
 */
const LIFETIME_SHARE = 0.2;
export const DEFAULT_WARN_DAYS = 30;

function lifetimeMs(info: SasInfo): number | undefined {
  return info.start && info.expiry ? info.expiry.getTime() - info.start.getTime() : undefined;
}

function expiringWithin(info: SasInfo, warnDays: number | undefined): number {
  if (warnDays !== undefined) return warnDays * DAY;
  const lifetime = lifetimeMs(info);
  const cap = DEFAULT_WARN_DAYS * DAY;
  return lifetime !== undefined && lifetime > 0 ? Math.min(cap, lifetime * LIFETIME_SHARE) : cap;
}

/** `warnDays`: --warn-days as given; undefined for the default rule (above). */
export function inspectSas(info: SasInfo, opts: { now?: Date; warnDays?: number; purpose?: SasPurpose } = {}): SasReport {
  const now = opts.now ?? new Date();
  const warnDays = opts.warnDays;
  const w: SasWarning[] = [];
  const p = info.permissions;
  const msLeft = info.expiry ? info.expiry.getTime() - now.getTime() : undefined;
  const expired = msLeft !== undefined && msLeft <= 0;
  const notYetValid = !!info.start && info.start.getTime() > now.getTime();

  if (expired)
    w.push({
      code: 'expired',
      message: `expired ${formatDuration(-msLeft!)} ago (${iso(info.expiry)}): ask the issuer for a new token, or make one with \`archive sas create\``,
    });
  else if (msLeft !== undefined && msLeft < expiringWithin(info, warnDays)) {
    const lifetime = lifetimeMs(info);
    const within =
      warnDays === undefined && lifetime !== undefined && lifetime * LIFETIME_SHARE < DEFAULT_WARN_DAYS * DAY
        ? `in the last fifth of its ${formatDuration(lifetime)} lifetime`
        : `within ${warnDays ?? DEFAULT_WARN_DAYS} days`;
    w.push({ code: 'expiring', message: `expires in ${formatDuration(msLeft)} (${within}): plan its renewal` });
  }
  if (notYetValid)
    w.push({
      code: 'not-yet-valid',
      message: `not valid before ${iso(info.start)} (in ${formatDuration(info.start!.getTime() - now.getTime())}); check the clock of whoever created it`,
    });
  if (info.delegation?.expiry && info.delegation.expiry.getTime() <= now.getTime()) {
    w.push({
      code: 'delegation-key-expired',
      message: `the user delegation key expired ${iso(info.delegation.expiry)}: the token no longer works`,
    });
  }
  if (!info.expiry && info.identifier) {
    w.push({
      code: 'policy-expiry',
      message: `the expiry is kept in the stored access policy "${info.identifier}" on the container; it cannot be read from the token`,
    });
  }
  if (isWriting(p) && isDeleting(p)) {
    w.push({
      code: 'delete-on-write',
      message: `broader than needed: it can delete (${[...p].filter((l) => 'dxy'.includes(l)).join('')}) as well as write; a token for writing logs needs no delete`,
    });
  }
  if (info.kind === 'account') {
    w.push({
      code: 'account-scope',
      message: `broader than needed: an account SAS reaches every container${info.resourceTypes.includes('service') ? ' and service settings' : ''}; a container-scoped service SAS (sr=c) is narrower`,
    });
    const other = info.services.filter((s) => s !== 'blob');
    if (other.length) w.push({ code: 'other-services', message: `broader than needed: also valid for ${other.join(', ')} storage` });
  }
  if (info.protocol?.includes('http') && info.protocol !== 'https') {
    w.push({ code: 'http-allowed', message: 'allows plain HTTP (spr=https,http): the token can be sniffed on the wire; prefer spr=https' });
  }
  if (/[rl]/.test(p) && msLeft !== undefined && msLeft > 366 * DAY && opts.purpose !== 'logpush') {
    w.push({
      code: 'long-lived-read',
      message: `can read for ${formatDuration(msLeft)} more: anyone holding the URL can read the data until then; short-lived read tokens are safer`,
    });
  }
  const unknownLetters = [...p].filter((l) => !PERMISSION_ORDER.includes(l));
  if (unknownLetters.length) w.push({ code: 'unknown-permission', message: `unknown permission letters: ${unknownLetters.join('')}` });

  if (opts.purpose === 'logpush') {
    if (!p.includes('w')) w.push({ code: 'purpose-missing', message: 'for Logpush it needs w (write): Cloudflare cannot upload with it' });
    const extra = [...p].filter((l) => !'wca'.includes(l));
    if (extra.length)
      w.push({
        code: 'purpose-broader',
        message: `broader than Logpush needs: ${extra.map((l) => `${l} (${spellPermissions(l)[0]})`).join(', ')}; Cloudflare only writes (w)`,
      });
    if (msLeft !== undefined && msLeft < FIVE_YEARS_DAYS * DAY - DAY)
      w.push({ code: 'purpose-short', message: 'Cloudflare Logpush asks for a token valid at least 5 years' });
    if (info.kind === 'service' && info.resource && info.resource !== 'c')
      w.push({ code: 'purpose-scope', message: `Logpush needs a container-scoped token (sr=c), this one is ${info.scope}` });
  } else if (opts.purpose === 'reader') {
    for (const l of 'rl')
      if (!p.includes(l)) w.push({ code: 'purpose-missing', message: `for reading archives it needs ${l} (${spellPermissions(l)[0]})` });
    const extra = [...p].filter((l) => !'rl'.includes(l));
    if (extra.length)
      w.push({
        code: 'purpose-broader',
        message: `broader than a reader needs: ${extra.map((l) => `${l} (${spellPermissions(l)[0]})`).join(', ')}`,
      });
  }
  return { info, expired, notYetValid, msLeft, warnings: w };
}

export { iso };

export function describeLeft(r: SasReport): string {
  if (r.msLeft === undefined) return 'set by stored access policy';
  return r.msLeft <= 0 ? `expired ${formatDuration(-r.msLeft)} ago` : `${formatDuration(r.msLeft)} left`;
}

/** Human lines for `sas inspect` (and `profile show`); never contains the signature. */
export function renderSas(r: SasReport): string[] {
  const i = r.info;
  const kind = i.kind === 'user-delegation' ? 'user-delegation SAS' : i.kind === 'account' ? 'account SAS' : 'service SAS';
  const rows: Array<[string, string]> = [];
  if (i.url?.account) rows.push(['account', i.url.account]);
  if (i.url?.serviceUrl) rows.push(['endpoint', i.url.serviceUrl]);
  if (i.url?.container) rows.push(['container', i.url.container]);
  if (i.url?.path) rows.push(['path', i.url.path]);
  rows.push(['kind', kind]);
  rows.push(['scope', i.resource ? `${i.scope} (sr=${i.resource})` : i.scope]);
  if (i.kind === 'account') {
    rows.push(['services', i.services.join(', ')]);
    rows.push(['resource types', i.resourceTypes.join(', ')]);
  }
  const perms = spellPermissions(i.permissions);
  rows.push(['permissions', i.permissions ? `${i.permissions}: ${perms.join(', ')}` : '(from stored access policy)']);
  rows.push(['start', i.start ? iso(i.start) : 'immediately (no st=)']);
  rows.push([
    'expiry',
    i.expiry ? `${iso(i.expiry)} (${describeLeft(r)})` : `(from stored access policy${i.identifier ? ` "${i.identifier}"` : ''})`,
  ]);
  rows.push(['ip range', i.ip ?? 'any']);
  rows.push(['protocol', i.protocol === 'https' ? 'https only' : (i.protocol ?? 'https and http (no spr=)')]);
  rows.push(['version', i.version ?? '']);
  if (i.identifier) rows.push(['policy', i.identifier]);
  if (i.encryptionScope) rows.push(['encryption scope', i.encryptionScope]);
  if (i.delegation) {
    rows.push(['delegated by', `object ${i.delegation.objectId ?? '?'} in tenant ${i.delegation.tenantId ?? '?'}`]);
    if (i.delegation.expiry) rows.push(['key expiry', iso(i.delegation.expiry)]);
  }
  rows.push(['signature', 'present (REDACTED)']);
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  // Every field comes from the token someone handed over: escaped (output/escape.ts).
  return rows.map(([k, v]) => `${(`${k}:`).padEnd(width + 1)}${escapeText(v)}`);
}

export function sasJson(r: SasReport): Record<string, unknown> {
  const i = r.info;
  return {
    kind: i.kind,
    scope: i.scope,
    resource: i.resource,
    account: i.url?.account,
    serviceUrl: i.url?.serviceUrl,
    container: i.url?.container,
    path: i.url?.path,
    services: i.kind === 'account' ? i.services : undefined,
    resourceTypes: i.kind === 'account' ? i.resourceTypes : undefined,
    permissions: i.permissions,
    permissionNames: spellPermissions(i.permissions),
    start: i.start?.toISOString(),
    expiry: i.expiry?.toISOString(),
    secondsLeft: r.msLeft === undefined ? undefined : Math.round(r.msLeft / 1000),
    expired: r.expired,
    notYetValid: r.notYetValid,
    ip: i.ip,
    protocol: i.protocol,
    version: i.version,
    identifier: i.identifier,
    encryptionScope: i.encryptionScope,
    delegation: i.delegation
      ? { ...i.delegation, start: i.delegation.start?.toISOString(), expiry: i.delegation.expiry?.toISOString() }
      : undefined,
    token: i.redacted,
    signature: 'REDACTED',
    unknownParameters: i.unknown.length ? i.unknown : undefined,
    warnings: r.warnings,
  };
}
