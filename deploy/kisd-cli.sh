#!/bin/sh
# kisd, the operator's command on a systemd host (deploy/install.sh installs it as /usr/local/bin/kisd with the
# paths filled in). `--unit` makes kisd take what the service uses from its unit: the --config of ExecStart=,
# the EnvironmentFile= (credentials) and the WorkingDirectory=; run as root (sudo kisd ...) it first switches to
# the unit's User=, so files it writes stay the service's. KISD_UNIT names another unit file.
exec @NODE@ @PREFIX@/dist/src/cli/main.js --unit "${KISD_UNIT:-@UNIT@}" "$@"
