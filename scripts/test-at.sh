#!/usr/bin/env bash
# Runs test files with the clock moved to another moment, under libfaketime (Debian's `faketime`).
#
#   scripts/test-at.sh 'YYYY-MM-DD HH:MM' [test/x.test.ts …]     (a UTC time; default: every suite)
#
# The offset is RELATIVE (`faketime -f +SECONDS`), so every process the suite spawns (the CLI, the
# emulators) shares one moved clock; an absolute `@DATE` would restart the clock at that instant in
# each child. The run starts at the given moment and goes on from there, so a time just before
# midnight crosses the day boundary during the run. What libfaketime does not move: file times
# (Node reads them with statx), so anything that compares a file's mtime with the clock sees the
# offset; the product judges lock ages on the file system's own clock (src/fs-clock.ts) for that
# reason, and tests take their "now" from ARCHIVE_NOW / an injected clock, never the wall clock.
set -euo pipefail
cd "$(dirname "$0")/.."
at="${1:?usage: scripts/test-at.sh 'YYYY-MM-DD HH:MM' [test files…]}"
shift
command -v faketime >/dev/null || { echo "test-at: faketime is not installed (apt-get install faketime)" >&2; exit 1; }
target=$(date -u -d "$at UTC" +%s) || { echo "test-at: cannot read the time '$at'" >&2; exit 2; }
off=$((target - $(date -u +%s)))
sign=+
[ "$off" -lt 0 ] && { sign=-; off=$((-off)); }
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(test/*.test.ts)
echo "test-at: ${#files[@]} suite file(s) with the clock at $at UTC (faketime -f ${sign}${off})"
# The offset also reaches the check that the moved clock took: a process that reads the real time
# would fail the run rather than test nothing.
seen=$(faketime -f "${sign}${off}" date -u +%Y-%m-%dT%H)
want=$(date -u -d "$at UTC" +%Y-%m-%dT%H)
[ "$seen" = "$want" ] || { echo "test-at: faketime gave $seen, wanted $want" >&2; exit 1; }
exec faketime -f "${sign}${off}" node --import tsx --test --test-concurrency=1 "${files[@]}"
