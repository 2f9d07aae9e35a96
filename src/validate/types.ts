/** What `archive validate` measures and reports: the shapes the probes, the verdict and the renderers share. */
import type { ExitCodeValue } from '../errors.js';
import type { SasReport } from '../sas/inspect.js';
import type { ProbeName } from './names.js';

export type ProbeStatus = 'ok' | 'fail' | 'skip';

export interface ProbeResult {
  name: ProbeName;
  /** Row label: the probe name, or e.g. "marker logzio-verified". */
  label: string;
  status: ProbeStatus;
  /** The service's error code (or a local one) when the probe failed. */
  code?: string;
  /** What happened, in words. */
  detail: string;
  /** How to fix it (failures). */
  hint?: string;
  key?: string;
  /** The exit code this failure maps to when the probe is required. */
  exitCode?: ExitCodeValue;
  /** Ran without being asked for (the ownership challenge found by itself): required only when --require names it. */
  optional?: boolean;
  ms: number;
}

export interface ValidateOptions {
  write: boolean;
  readKey?: string;
  markers: string[];
  /**
   * true: find ownership-challenge-*.txt anywhere under the prefix; a string: that key (relative to
   * the prefix); undefined: look for one directly under the prefix, where Cloudflare writes it,
   * and report it only when found.
   */
  challenge?: string | true;
  probePrefix: string;
  /** --warn-days as given; undefined: the default rule (sas/inspect.ts). */
  warnDays?: number;
  /** The run's clock (ARCHIVE_NOW), for the SAS expiry check. */
  now?: Date;
  signal?: AbortSignal;
}

export interface ChallengeFound {
  key: string;
  token: string;
  /** Other ownership-challenge files found (older ones, from earlier attempts at the Logpush setup). */
  others?: string[];
}

export interface ValidateReport {
  location: string;
  provider: 'azure' | 's3' | 'gcs';
  auth: string;
  probes: ProbeResult[];
  sas?: SasReport;
  challenge?: ChallengeFound;
  /** Probe objects that could not be removed. */
  leftovers: string[];
}
