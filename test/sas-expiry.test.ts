/**
 * Issue #10 item 7: an expired or not-yet-valid SAS is named as such (not as a firewall refusal)
 * by every command, exit 3, with the time in the message and the hint; `validate --require read`
 * reports the listing's refusal (exit 3, not 4); a SAS running out within the hour is warned about
 * before the first request. Real tokens signed with the Azurite dev account key.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ContainerSASPermissions, StorageSharedKeyCredential, generateBlobSASQueryParameters } from '@azure/storage-blob';
import { runCli } from './support/cli.js';
import { startProvider, type AzureFixture } from './support/providers.js';
import { AZURITE_ACCOUNT, AZURITE_KEY } from './support/emulators.js';
import { sasTimeProblem, describeSasTimeProblem, sasExpiryWarning, explainSasRefusal, sasWindow } from '../src/providers/sas-expiry.js';
import { AuthError, NotFoundError } from '../src/errors.js';

const HOUR = 3600_000;
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('sas expiry (pure)', () => {
  const now = new Date('2026-06-01T12:00:00Z');
  const tok = (st?: string, se?: string) => `sv=2024-08-04&sr=c&sp=rl${st ? `&st=${st}` : ''}${se ? `&se=${se}` : ''}&sig=abc%2Bdef%3D`;
  const cases: Array<[string, string, string | undefined]> = [
    ['valid window', tok('2026-06-01T11:00:00Z', '2026-06-01T13:00:00Z'), undefined],
    ['expired 2 days ago', tok(undefined, '2026-05-30T12:00:00Z'), 'the SAS expired at 2026-05-30T12:00:00Z (2d 0h ago)'],
    ['expires exactly now', tok(undefined, '2026-06-01T12:00:00Z'), 'the SAS expired at 2026-06-01T12:00:00Z (0s ago)'],
    ['date-only se', tok(undefined, '2026-06-01'), 'the SAS expired at 2026-06-01T00:00:00Z (12h 0m ago)'],
    [
      'not valid for 5 minutes',
      tok('2026-06-01T12:05:00Z', '2026-06-02T00:00:00Z'),
      'the SAS is not valid before 2026-06-01T12:05:00Z (in 5m 0s)',
    ],
    [
      'URL-encoded colons (as portals copy it)',
      tok('2026-06-01T12%3A05%3A00Z', '2026-06-02T00%3A00%3A00Z'),
      'the SAS is not valid before 2026-06-01T12:05:00Z (in 5m 0s)',
    ],
    ['no times at all (stored policy)', 'sv=2024-08-04&si=policy1&sr=c&sig=x', undefined],
    ['garbage se is ignored, never thrown', tok(undefined, 'tomorrow'), undefined],
  ];
  for (const [name, token, want] of cases) {
    test(name, () => {
      const p = sasTimeProblem(token, now);
      assert.equal(p ? describeSasTimeProblem(p) : undefined, want);
    });
  }

  test('warning only when still valid and ending within the hour', () => {
    assert.equal(
      sasExpiryWarning(tok(undefined, '2026-06-01T12:30:00Z'), now),
      'the SAS expires at 2026-06-01T12:30:00Z (in 30m 0s): a long run may fail part-way; get a longer-lived token first',
    );
    assert.equal(sasExpiryWarning(tok(undefined, '2026-06-01T13:00:01Z'), now), undefined);
    assert.equal(sasExpiryWarning(tok(undefined, '2026-06-01T11:00:00Z'), now), undefined, 'expired: the 403 explains it');
    assert.equal(sasExpiryWarning(undefined, now), undefined);
    assert.equal(
      sasExpiryWarning(tok(undefined, '2026-06-01T14:00:00Z'), now, 3 * HOUR)?.startsWith(
        'the SAS expires at 2026-06-01T14:00:00Z (in 2h 0m)',
      ),
      true,
    );
  });

  test('only refusals are rewritten; the service code and cause are kept', () => {
    const expired = tok(undefined, '2026-05-31T12:00:00Z');
    const refusal = new AuthError('list az://a/c: permission denied', {
      serviceCode: 'AuthorizationFailure',
      status: 403,
      hint: 'firewall …',
    });
    const e = explainSasRefusal(refusal, expired, now) as AuthError;
    assert.ok(e instanceof AuthError);
    assert.equal(e.message, 'list az://a/c: the SAS expired at 2026-05-31T12:00:00Z (1d 0h ago)');
    assert.equal(e.serviceCode, 'AuthorizationFailure');
    assert.equal(e.cause, refusal);
    assert.ok(!/firewall/.test(e.hint ?? ''));
    const nf = new NotFoundError('read x: not found');
    assert.equal(explainSasRefusal(nf, expired, now), nf);
    assert.equal(explainSasRefusal(refusal, tok(undefined, '2026-06-02T00:00:00Z'), now), refusal);
    assert.deepEqual(sasWindow('?se=2026-06-02'), { start: undefined, expiry: new Date('2026-06-02T00:00:00Z') });
  });
});

describe('sas expiry against Azurite', () => {
  let p: AzureFixture;
  let tmp: string;
  const cred = new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY);
  const sas = (startsOn: Date, expiresOn: Date) =>
    generateBlobSASQueryParameters(
      { containerName: 'logs', permissions: ContainerSASPermissions.parse('rl'), startsOn, expiresOn },
      cred,
    ).toString();
  before(async () => {
    p = await startProvider('azure');
    await p.seed('logs', [{ key: 'a/x.log', body: 'hello\n' }]);
    tmp = mkdtempSync(join(tmpdir(), 'archive-sas-expiry-'));
  });
  after(async () => {
    await p?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const commands = (url: (path: string) => string, dest: string): string[][] => [
    ['list', url('')],
    ['cat', url('a/')],
    ['pull', url('a/'), dest],
  ];

  test('expired SAS: list, cat, pull say when it expired, exit 3, nothing written', async () => {
    const now = Date.now();
    const se = new Date(Math.floor((now - 3.5 * HOUR) / 1000) * 1000);
    const token = sas(new Date(now - 5 * HOUR), se);
    const dest = join(tmp, 'expired');
    for (const args of commands((path) => `${p.emu.serviceUrl}/logs/${path}?${token}`, dest)) {
      const r = await runCli(args, { env: {} });
      assert.equal(r.code, 3, `${args[0]}: ${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.split('\n');
      assert.match(
        lines[0],
        new RegExp(
          `^archive: list az://devstoreaccount1/logs: the SAS expired at ${esc(iso(se))} \\(3h 3\\d?m ago\\) \\(AuthorizationFailure\\)$`,
        ),
      );
      assert.equal(lines[1], `hint: ask whoever issued it for a new SAS (or make one: \`archive sas create\`); this one ended ${iso(se)}`);
      assert.equal(lines.length, 3);
      assert.ok(!/firewall/.test(r.stderr));
      assert.ok(!r.stderr.includes(new URLSearchParams(token).get('sig')!));
    }
    assert.ok(!existsSync(dest) || readdirSync(dest).length === 0, 'pull wrote nothing');
  });

  test('not-yet-valid SAS: every command says from when, exit 3', async () => {
    const now = Date.now();
    const st = new Date(Math.floor((now + 2.5 * HOUR) / 1000) * 1000);
    const token = sas(st, new Date(now + 5 * HOUR));
    const dest = join(tmp, 'future');
    for (const args of commands((path) => `${p.emu.serviceUrl}/logs/${path}?${token}`, dest)) {
      const r = await runCli(args, { env: {} });
      assert.equal(r.code, 3, `${args[0]}: ${r.stderr}`);
      assert.equal(
        r.stderr.replace(/\(in 2h \d\dm\)/, '(in 2h NNm)'),
        `archive: list az://devstoreaccount1/logs: the SAS is not valid before ${iso(st)} (in 2h NNm) (AuthorizationFailure)\n` +
          `hint: wait until ${iso(st)}, or check the clock of whoever created it (and this machine's clock); \`archive sas inspect\` shows its times\n`,
      );
    }
    assert.ok(!existsSync(dest) || readdirSync(dest).length === 0);
  });

  test('the same through az:// + --sas and through a connection string holding the SAS', async () => {
    const now = Date.now();
    const se = new Date(Math.floor((now - 2 * HOUR) / 1000) * 1000);
    const token = sas(new Date(now - 4 * HOUR), se);
    const viaFlag = await runCli(['list', `${p.emu.serviceUrl}/logs`, '--sas', token], { env: {} });
    // A URL location without a query takes the token from --sas.
    assert.equal(viaFlag.code, 3, viaFlag.stderr);
    assert.match(
      viaFlag.stderr,
      new RegExp(
        `^archive: list az://devstoreaccount1/logs: the SAS expired at ${esc(iso(se))} \\(2h \\d+m ago\\) \\(AuthorizationFailure\\)$`,
        'm',
      ),
    );
    const cs = `BlobEndpoint=${p.emu.serviceUrl};SharedAccessSignature=${token}`;
    const viaCs = await runCli(['list', `${p.emu.serviceUrl}/logs`], { env: { AZURE_STORAGE_CONNECTION_STRING: cs } });
    assert.equal(viaCs.code, 3, viaCs.stderr);
    assert.match(viaCs.stderr, /the SAS expired at /);
  });

  test('validate --require read with an expired SAS: exit 3 (the listing was refused), not 4', async () => {
    const now = Date.now();
    const se = new Date(Math.floor((now - 3.5 * HOUR) / 1000) * 1000);
    const token = sas(new Date(now - 5 * HOUR), se);
    const r = await runCli(['validate', `${p.emu.serviceUrl}/logs?${token}`, '--require', 'read', '--no-write'], { env: {} });
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /^read\*\s+–\s+AuthorizationFailure\s+nothing to read: the listing failed/m);
    assert.match(r.stdout, /^sas expiry\s+✗\s+SasExpired\s/m);
    const err = r.stderr.split('\n');
    assert.equal(err[0], 'archive: required probe failed: read (AuthorizationFailure)');
    assert.match(err[1], new RegExp(`^hint: the SAS expired 3h 3\\d?m ago \\(${esc(iso(se))}\\): ask for a new token`));
    const js = await runCli(['validate', `${p.emu.serviceUrl}/logs?${token}`, '--require', 'read', '--no-write', '--json'], { env: {} });
    assert.equal(js.code, 3);
    assert.equal(JSON.parse(js.stdout).exitCode, 3);
  });

  test('a SAS that runs out within the hour: warned about before the run, which still succeeds', async () => {
    const now = Date.now();
    const se = new Date(Math.floor((now + 30 * 60_000) / 1000) * 1000);
    const token = sas(new Date(now - 60_000), se);
    const dest = join(tmp, 'soon');
    for (const args of commands((path) => `${p.emu.serviceUrl}/logs/${path}?${token}`, dest)) {
      const r = await runCli(args, { env: {} });
      assert.equal(r.code, 0, `${args[0]}: ${r.stderr}`);
      const warn = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
      assert.equal(warn.length, 1, r.stderr);
      assert.match(
        warn[0],
        new RegExp(
          `^warning: the SAS expires at ${esc(iso(se))} \\(in (29m|30m) \\d+s\\): a long run may fail part-way; get a longer-lived token first$`,
        ),
      );
      // The warning precedes any output of the run itself.
      assert.ok(r.stderr.startsWith('warning:'), r.stderr);
    }
    const long = sas(new Date(now - 60_000), new Date(now + 2 * HOUR));
    const quiet = await runCli(['list', `${p.emu.serviceUrl}/logs?${long}`], { env: {} });
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stderr, '');
  });
});
