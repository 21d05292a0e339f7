#!/usr/bin/env bash
# Installs or upgrades kisd on a systemd host (idempotent): build, production dependencies, the kisd user,
# directories, /etc/kisd files (never overwritten), the unit, enable + restart. Run as root from a checkout:
#   sudo deploy/install.sh            # install/upgrade and (re)start
#   sudo deploy/install.sh --no-start # install/upgrade only
set -euo pipefail

PREFIX=/opt/kisd
ETC=/etc/kisd
UNIT=/etc/systemd/system/kisd.service
START=1
[[ "${1:-}" == "--no-start" ]] && START=0

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $EUID -eq 0 ]] || { echo "run as root" >&2; exit 1; }
[[ -x /usr/bin/node ]] || { echo "/usr/bin/node not found (the unit's ExecStart uses it); install Node >= 20.19" >&2; exit 1; }
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || { echo "Node >= 20.19 required" >&2; exit 1; }

echo "== build"
(cd "$src" && npm ci && npm run build)

echo "== user"
if ! getent passwd kisd >/dev/null; then
  useradd --system --user-group --home-dir /var/lib/kisd --no-create-home --shell /usr/sbin/nologin kisd
fi

echo "== files -> $PREFIX"
stage="$(mktemp -d "${PREFIX}.new.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
cp -a "$src/package.json" "$src/package-lock.json" "$src/dist" "$src/deploy" "$stage/"
[[ -d "$src/config" ]] && cp -a "$src/config" "$stage/"
(cd "$stage" && npm ci --omit=dev --ignore-scripts=false --no-audit --no-fund)
chown -R root:root "$stage"
chmod -R go-w "$stage"
# Swap atomically enough for an upgrade: the running daemon keeps its open files until restart.
if [[ -d "$PREFIX" ]]; then rm -rf "${PREFIX}.old"; mv "$PREFIX" "${PREFIX}.old"; fi
mv "$stage" "$PREFIX"
trap - EXIT

echo "== configuration ($ETC, kept if present)"
install -d -m 0750 -o root -g kisd "$ETC"
if [[ ! -f "$ETC/kisd.env" ]]; then
  install -m 0600 -o root -g root /dev/null "$ETC/kisd.env"
  cat >"$ETC/kisd.env" <<'ENV'
# Secrets for kisd (read by systemd as root; never commit). Fill in and restart: systemctl restart kisd
# KISD_APP_KEY=
# KISD_APP_SECRET=
# KISD_ACCOUNT_NO=
# KISD_HTS_ID=
ENV
fi
if [[ ! -f "$ETC/kisd.yaml" && -f "$PREFIX/config/kisd.example.yaml" ]]; then
  install -m 0640 -o root -g kisd "$PREFIX/config/kisd.example.yaml" "$ETC/kisd.yaml"
fi

echo "== unit"
install -m 0644 "$PREFIX/deploy/kisd.service" "$UNIT"
systemd-analyze verify "$UNIT"
systemctl daemon-reload
systemctl enable kisd.service
if [[ $START -eq 1 ]]; then
  systemctl restart kisd.service
  systemctl --no-pager --lines=5 status kisd.service || true
fi
rm -rf "${PREFIX}.old"
echo "== done"
