#!/bin/sh
# Install every Debian package that permanence needs (listed in debian-packages.txt).
# Run as root, or with sudo available. Safe to run again.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
packages=$(grep -v '^[[:space:]]*#' "$here/debian-packages.txt" | grep -v '^[[:space:]]*$' | tr '\n' ' ')

if [ "$(id -u)" -eq 0 ]; then
	run=""
elif command -v sudo >/dev/null 2>&1; then
	run="sudo"
else
	echo "install-deps: run this as root or install sudo" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$run apt-get update -qq
# shellcheck disable=SC2086
$run apt-get install -y -qq --no-install-recommends $packages

# Debian's npm is a separate package, but Node.js builds that bundle npm conflict with
# it: install it only when no npm is on the PATH.
if ! command -v npm >/dev/null 2>&1; then
	$run apt-get install -y -qq --no-install-recommends npm
fi
