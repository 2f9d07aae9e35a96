/**
 * Matches every key and reads no time from it: callers fall back to the object's last-modified
 * time. Kind still comes from the extension so `--kind heapdump` works on any archive.
 */
import type { Layout } from './types.js';
import { baseName, kindFromName } from './time-parts.js';

export const generic: Layout = {
  name: 'generic',
  description: 'Any key; time from last-modified, kind from the file extension',
  kinds: ['logs', 'heapdump', 'jfr'],
  parse(key) {
    return { layout: 'generic', kind: kindFromName(baseName(key)) };
  },
};
