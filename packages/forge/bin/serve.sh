#!/bin/sh
# `npm start`: the forge server (bin/micelio.js serve). On embedded PGlite (no DATABASE_URL)
# it starts with two memory settings that must be given before the process starts (ADR 34):
# malloc's mmap threshold fixed at 32 KiB, so buffers freed after PGlite's WebAssembly is
# compiled go back to the system instead of staying as holes in malloc's arenas, and a 4 MiB
# semi-space. Together about 90 MiB less at idle; they cost landing throughput (an mmap per
# large buffer), so a forge on PostgreSQL, built for load, starts without them. A
# GLIBC_TUNABLES of your own wins. `exec` leaves one process, the server.
server="$(dirname "$0")/micelio.js"
if [ -z "$DATABASE_URL" ]; then
  export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.mmap_threshold=32768}"
  exec node --max-semi-space-size=4 "$server" serve "$@"
fi
exec node "$server" serve "$@"
