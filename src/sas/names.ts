/** SAS presets and output formats, dependency-free so `archive sas --help` loads nothing else. */
export type SasPurpose = 'logpush' | 'reader';
export const SAS_PURPOSES: readonly SasPurpose[] = ['logpush', 'reader'];
export const PRESET_DESCRIPTIONS: Record<SasPurpose, string> = {
  logpush: 'write-only, container scope, 5 years (Cloudflare Logpush)',
  reader: 'read + list, 7 days',
};
/** The ways `sas create` can print its result. */
export const SAS_FORMATS = ['url', 'token', 'cloudflare', 'json'] as const;
export type SasFormat = (typeof SAS_FORMATS)[number];
