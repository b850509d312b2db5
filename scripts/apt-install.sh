#!/usr/bin/env bash
# apt-install.sh COMMAND PACKAGE...: install Debian's PACKAGEs unless COMMAND is already on the
# PATH. Set-up steps run side by side (make -j) and two test workers may need Chromium at once;
# apt allows one dpkg at a time, so every install here waits for the others under one lock.
set -euo pipefail
command="$1"
shift
command -v "$command" >/dev/null 2>&1 && exit 0
exec 9>/tmp/upstream-apt.lock
flock 9
command -v "$command" >/dev/null 2>&1 && exit 0  # installed by whoever held the lock
echo "apt-install: installing $* from Debian packages"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "$@" >/dev/null
