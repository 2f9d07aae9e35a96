/**
 * A SAS's validity window (st/se) as the reason for a refusal, and as a warning before a long run.
 * The service answers an expired or not-yet-valid SAS with a bare 403 AuthorizationFailure — the
 * same code as a firewall refusal — so without this check the user is sent to the firewall
 * settings for a token that simply ran out. Pure: the clock is passed in.
 */
import { AuthError } from '../errors.js';
import { formatDuration, isoUtc as iso } from '../time.js';
import type { Target } from './target-types.js';
import { parseConnectionString } from './azure-connection-string.js';

export type SasTimeProblem = { kind: 'expired'; at: Date; ms: number } | { kind: 'not-yet-valid'; at: Date; ms: number };

function readTime(v: string | null): Date | undefined {
  if (!v || !/^\d{4}-\d{2}-\d{2}/.test(v)) return undefined;
  const d = new Date(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The SAS's start and expiry; fields that are absent or unreadable are undefined (never throws). */
export function sasWindow(token: string): { start?: Date; expiry?: Date } {
  const q = new URLSearchParams(token.replace(/^\?/, ''));
  return { start: readTime(q.get('st')), expiry: readTime(q.get('se')) };
}

/** Expired (se <= now) or not yet valid (st > now); undefined when the window holds `now`. */
export function sasTimeProblem(token: string, now: Date = new Date()): SasTimeProblem | undefined {
  const { start, expiry } = sasWindow(token);
  if (expiry && expiry.getTime() <= now.getTime()) return { kind: 'expired', at: expiry, ms: now.getTime() - expiry.getTime() };
  if (start && start.getTime() > now.getTime()) return { kind: 'not-yet-valid', at: start, ms: start.getTime() - now.getTime() };
  return undefined;
}

/** "the SAS expired at 2026-01-05T17:00:00Z (2d 3h ago)" / "the SAS is not valid before … (in 5m 0s)". */
export function describeSasTimeProblem(p: SasTimeProblem): string {
  return p.kind === 'expired'
    ? `the SAS expired at ${iso(p.at)} (${formatDuration(p.ms)} ago)`
    : `the SAS is not valid before ${iso(p.at)} (in ${formatDuration(p.ms)})`;
}

/**
 * A refusal explained by the token's clock, or the refusal unchanged. Only AuthErrors are
 * rewritten: a 404 with an expired token is still a 404 as far as the service told us.
 */
export function explainSasRefusal(err: Error, token: string | undefined, now: Date = new Date()): Error {
  if (!token || !(err instanceof AuthError)) return err;
  const p = sasTimeProblem(token, now);
  if (!p) return err;
  const what = describeSasTimeProblem(p);
  const base = err.message.replace(/: permission denied$/, '');
  return new AuthError(`${base}: ${what}`, {
    serviceCode: err.serviceCode,
    status: err.status,
    cause: err,
    hint:
      p.kind === 'expired'
        ? `ask whoever issued it for a new SAS (or make one: \`archive sas create\`); this one ended ${iso(p.at)}`
        : `wait until ${iso(p.at)}, or check the clock of whoever created it (and this machine's clock); \`archive sas inspect\` shows its times`,
  });
}

/** Runs shorter than this are not warned about: a quick `list` does not need the noise. */
export const EXPIRY_WARNING_MS = 60 * 60 * 1000;

/**
 * A warning line (without "warning: ") when the SAS is still valid but runs out within `withinMs`,
 * so a long pull does not fail part-way by surprise; undefined otherwise.
 */
export function sasExpiryWarning(token: string | undefined, now: Date = new Date(), withinMs = EXPIRY_WARNING_MS): string | undefined {
  if (!token) return undefined;
  const { start, expiry } = sasWindow(token);
  if (!expiry) return undefined;
  const left = expiry.getTime() - now.getTime();
  if (left <= 0 || left > withinMs || (start && start.getTime() > now.getTime())) return undefined;
  return `the SAS expires at ${iso(expiry)} (in ${formatDuration(left)}): a long run may fail part-way; get a longer-lived token first`;
}

/** The SAS a target authenticates with, when it is one (directly or inside a connection string). */
export function targetSasToken(t: Target): string | undefined {
  if (t.provider !== 'azure') return undefined;
  if (t.auth.type === 'sas') return t.auth.token;
  if (t.auth.type === 'connection-string') return parseConnectionString(t.auth.connectionString).sas;
  return undefined;
}
