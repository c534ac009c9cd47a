#!/bin/bash
# git's uploadpack.packObjectsHook for Micelio: upload-pack runs this as
#   pack-cache-hook.sh git pack-objects <args...>   (object list on stdin, pack on stdout)
# Full clones (no "have" objects) are served from a cache keyed by the repository, the
# arguments and the object list; objects are immutable, so an entry never goes stale, and a
# push changes the wanted tips and so the key. Incremental fetches run pack-objects directly.
set -o pipefail
cache="${MICELIO_PACK_CACHE:?MICELIO_PACK_CACHE is not set}"
input=$(mktemp) || exit 1
tmp=""
trap 'rm -f "$input" "$tmp"' EXIT
cat > "$input" || exit 1

haves=$(sed -n '/^--not$/,$p' "$input" | grep -c -v -e '^--not$' -e '^$')
if [ "$haves" -gt 0 ]; then
  "$@" < "$input"
  exit $?
fi

key=$({ printf '%s\0' "$PWD" "${GIT_DIR:-}" "$@"; cat "$input"; } | sha256sum | cut -d' ' -f1)
file="$cache/$key.pack"
if [ -f "$file" ]; then
  touch "$file" 2>/dev/null
  cat "$file"
  exit $?
fi
mkdir -p "$cache" || exit 1
tmp="$cache/.$key.$$.tmp"
if "$@" < "$input" | tee "$tmp"; then
  mv -f "$tmp" "$file"
  tmp=""
  exit 0
fi
exit 1
