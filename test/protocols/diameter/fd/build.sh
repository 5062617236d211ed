#!/bin/sh
# Compiles OnePIN's freeDiameter test extension. Usage: build.sh <output.fdx>
# Needs gcc and libfreediameter-dev (headers in /usr/include/freeDiameter, libfdcore.so.6).
set -eu
here=$(dirname "$0")
out=${1:?usage: build.sh <output.fdx>}
exec gcc -shared -fPIC -Wall -Wextra -o "$out" "$here/onepin_ccr_client.c" -l:libfdcore.so.6 -l:libfdproto.so.6
