/** Probe names, kept dependency-free so `archive validate --help` loads nothing else. */
export const PROBE_NAMES = ['list', 'read', 'write', 'delete', 'marker', 'challenge'] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];
