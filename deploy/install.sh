#!/usr/bin/env bash
# Installs or upgrades kisd on a systemd host (idempotent): builds in a scratch directory (never inside your
# checkout), installs the tree to /opt/kisd readable by the service user, creates the kisd user, /etc/kisd files
# (never overwritten), the unit and the operator command /usr/local/bin/kisd. It (re)starts the service only
# when `kisd config check` passes with the installed config and credentials; otherwise it leaves it stopped and
# says what to fill in.
#
#   sudo deploy/install.sh                 # install/upgrade; start or restart if the config check passes
#   sudo deploy/install.sh --no-start      # install/upgrade only
#   DESTDIR=/tmp/root deploy/install.sh    # staging root: everything under $DESTDIR, no useradd/chown/systemctl
#   ... --from-build                       # reuse this checkout's `npm ci && npm run build` (CI) instead of building
set -euo pipefail

PREFIX=/opt/kisd
ETC=/etc/kisd
UNIT_DIR=/etc/systemd/system
BIN=/usr/local/bin/kisd
SERVICE_USER=kisd
DESTDIR="${DESTDIR:-}"
DESTDIR="${DESTDIR%/}"
START=1
FROM_BUILD=0
for arg in "$@"; do
  case "$arg" in
    --no-start) START=0 ;;
    --from-build) FROM_BUILD=1 ;;
    -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option \"$arg\" (accepted: --no-start, --from-build, --help)" >&2; exit 2 ;;
  esac
done

say() { printf '== %s\n' "$*"; }
die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -z "$DESTDIR" && $EUID -ne 0 ]]; then
  die "run as root (sudo deploy/install.sh), or set DESTDIR=<dir> to stage the files without installing them"
fi

# The unit and the operator command run this node; systemd's ProtectHome=yes hides /home and /root, so a node
# installed there (nvm) cannot serve the service.
NODE_BIN="${NODE_BIN:-$(command -v node || true)}"
[[ -n "$NODE_BIN" && -x "$NODE_BIN" ]] || die "node not found; install Node.js >= 20.19 first (README: \"Installing Node.js\")"
case "$NODE_BIN" in
  /home/*|/root/*) die "node is at $NODE_BIN, which the service cannot see (ProtectHome=yes); install Node.js system-wide (README: \"Installing Node.js\") or set NODE_BIN=/usr/bin/node" ;;
esac
"$NODE_BIN" -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "$NODE_BIN is Node $("$NODE_BIN" --version); kisd needs >= 20.19 (README: \"Installing Node.js\")"

root="$DESTDIR"
mkdir -p "$root$(dirname "$PREFIX")"
work="$(mktemp -d "$root$PREFIX.new.XXXXXX")"
cleanup() { rm -rf "$work" "${work}.build"; }
trap cleanup EXIT

if [[ $FROM_BUILD -eq 1 ]]; then
  say "using the checkout's build ($src/dist, $src/node_modules)"
  [[ -f "$src/dist/src/cli/main.js" && -d "$src/node_modules" ]] || die "--from-build needs \`npm ci && npm run build\` in $src first"
  mkdir "$work/dist"
  cp -a "$src/dist/src" "$work/dist/"
  cp -a "$src/node_modules" "$work/"
else
  # Build in a scratch copy: root never writes node_modules/ or dist/ into the checkout.
  say "build (in a scratch copy; npm ci compiles better-sqlite3, about a minute)"
  build="${work}.build"
  mkdir -p "$build"
  (cd "$src" && cp -a package.json package-lock.json tsconfig.json src "$build/")
  (cd "$build" && npm ci --no-audit --no-fund && npm run build)
  mkdir "$work/dist"
  mv "$build/dist/src" "$work/dist/"
  mv "$build/node_modules" "$work/"
fi
cp -a "$src/package.json" "$src/package-lock.json" "$src/config" "$src/deploy" "$work/"
(cd "$work" && npm prune --omit=dev --no-audit --no-fund >/dev/null)
# mktemp made the directory 0700: the service user must be able to read the whole tree (but not write it).
chmod -R u=rwX,go=rX "$work"
chmod 0755 "$work"
[[ -z "$DESTDIR" ]] && chown -R root:root "$work"

say "files -> $root$PREFIX"
# The running daemon keeps the files it has open; it moves to the new tree at the restart below.
if [[ -d "$root$PREFIX" ]]; then rm -rf "$root$PREFIX.old"; mv "$root$PREFIX" "$root$PREFIX.old"; fi
mv "$work" "$root$PREFIX"
rm -rf "$root$PREFIX.old"

if [[ -z "$DESTDIR" ]]; then
  say "user $SERVICE_USER"
  if ! getent passwd "$SERVICE_USER" >/dev/null; then
    useradd --system --user-group --home-dir /var/lib/kisd --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
  fi
fi

say "configuration ($root$ETC, kept if present)"
# Owner root, group kisd: the service user and the operator group read, only root writes.
own() { [[ -z "$DESTDIR" ]] && chown "root:$SERVICE_USER" "$@"; return 0; }
install -d -m 0750 "$root$ETC"
own "$root$ETC"
# The secrets file is the service user's alone (0600): the operator commands run as that user read it, and
# members of the operator group (group kisd: logs, config) do not.
if [[ ! -f "$root$ETC/kisd.env" ]]; then
  install -m 0600 "$src/deploy/kisd.env" "$root$ETC/kisd.env"
else
  chmod 0600 "$root$ETC/kisd.env"
fi
[[ -z "$DESTDIR" ]] && chown "$SERVICE_USER:$SERVICE_USER" "$root$ETC/kisd.env"
if [[ ! -f "$root$ETC/kisd.yaml" ]]; then
  install -m 0640 "$src/deploy/kisd.yaml" "$root$ETC/kisd.yaml"
  own "$root$ETC/kisd.yaml"
fi

say "unit and operator command"
install -d "$root$UNIT_DIR" "$root$(dirname "$BIN")"
sed -E "s#^ExecStart=/usr/bin/node #ExecStart=${NODE_BIN} #" "$src/deploy/kisd.service" >"$root$UNIT_DIR/kisd.service"
chmod 0644 "$root$UNIT_DIR/kisd.service"
sed -e "s#@NODE@#${NODE_BIN}#g" -e "s#@PREFIX@#${PREFIX}#g" -e "s#@UNIT@#${UNIT_DIR}/kisd.service#g" "$src/deploy/kisd-cli.sh" >"$root$BIN"
chmod 0755 "$root$BIN"

if [[ -n "$DESTDIR" ]]; then
  say "staged under $DESTDIR (no user, no systemctl)"
  echo "   to use it on a host: create the system user \"$SERVICE_USER\", chown root:$SERVICE_USER $ETC $ETC/kisd.yaml and $SERVICE_USER:$SERVICE_USER $ETC/kisd.env,"
  echo "   fill in $ETC/kisd.env, check with \`kisd config check\`, then: systemctl daemon-reload && systemctl enable --now kisd"
  exit 0
fi

if command -v systemd-analyze >/dev/null; then systemd-analyze verify "$UNIT_DIR/kisd.service"; fi
systemctl daemon-reload

say "config check (as $SERVICE_USER, with $ETC/kisd.yaml and $ETC/kisd.env, like the service)"
if check_out="$("$BIN" config check 2>&1 >/dev/null)"; then
  echo "   OK"
  systemctl enable kisd.service
  if [[ $START -eq 1 ]]; then
    systemctl restart kisd.service
    systemctl --no-pager --lines=5 status kisd.service || true
    say "done: kisd is running (systemctl status kisd; sudo kisd status)"
  else
    say "done: installed and enabled, not (re)started (--no-start): sudo systemctl restart kisd"
  fi
  exit 0
fi
printf '%s\n' "$check_out" | sed 's/^/   /'
if systemctl is-active --quiet kisd.service; then
  state="the running daemon was NOT restarted; it keeps its current version until the config passes"
else
  state="kisd is installed but NOT started (and not enabled): it would fail until the config passes"
fi
say "done, waiting for configuration: $state"
echo "   1. sudoedit $ETC/kisd.env      # KISD_APP_KEY, KISD_APP_SECRET, KISD_ACCOUNT_NO (from the KIS developer portal)"
echo "   2. sudoedit $ETC/kisd.yaml     # mode, watchlists, alerts (every setting: $PREFIX/config/kisd.example.yaml)"
echo "   3. sudo kisd config check       # until it prints OK"
echo "   4. sudo systemctl enable --now kisd   (or run this script again)"
