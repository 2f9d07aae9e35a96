import { UsageError } from '../errors.js';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `16M`, `64MiB`, `1g`, `1048576` → bytes (binary units, as rclone and azcopy use them). */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const mult = m ? UNITS[m[2].toLowerCase()] : undefined;
  if (!m || mult === undefined || Number(m[1]) <= 0)
    throw new UsageError(`${flag}: cannot read "${text}" as a size`, { hint: 'use e.g. 8M, 64MiB or 1G' });
  return Math.round(Number(m[1]) * mult);
}

export function parsePositiveInt(text: string, flag: string, max = 1024): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${flag}: expected a whole number from 1 to ${max}, got "${text}"`);
  return n;
}
