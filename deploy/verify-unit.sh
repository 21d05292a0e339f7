#!/usr/bin/env bash
# Checks deploy/kisd.service with systemd-analyze: `verify` must print nothing, `security` exposure must be <= 2.0.
# verify needs ExecStart's binary to exist, so the unit is checked as a copy whose ExecStart points at the node
# found on this machine (the installed unit keeps /usr/bin/node, which install.sh checks for).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
node_bin="$(command -v node)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sed -E "s#^ExecStart=/usr/bin/node #ExecStart=${node_bin} #" "$here/kisd.service" >"$work/kisd.service"
out="$(cd "$work" && systemd-analyze verify "$work/kisd.service" 2>&1 || true)"
if [[ -n "$out" ]]; then
  printf 'systemd-analyze verify reported:\n%s\n' "$out" >&2
  exit 1
fi
echo "verify: clean"
security="$(systemd-analyze security --offline=true "$work/kisd.service" 2>&1 | tail -n 1)"
echo "$security"
exposure="$(sed -nE 's/.*exposure level for kisd.service: ([0-9.]+).*/\1/p' <<<"$security")"
awk -v e="$exposure" 'BEGIN { exit !(e != "" && e <= 2.0) }' || { echo "exposure ${exposure:-?} > 2.0" >&2; exit 1; }
