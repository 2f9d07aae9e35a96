export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = -1;
  do {
    v /= 1024;
    i++;
  } while (v >= 1024 && i < units.length - 1);
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

/** Compact UTC time for tables: 2026-01-05 17:00:00 */
export function formatTime(d: Date | undefined): string {
  if (!d) return '';
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, '');
}

export function pad(s: string, width: number, right = false): string {
  if (s.length >= width) return s;
  return right ? ' '.repeat(width - s.length) + s : s + ' '.repeat(width - s.length);
}
