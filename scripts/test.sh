#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need, then `dotnet test`.
#   - Debian packages: rabbitmq-server (the cluster tests start throwaway brokers themselves) and chromium
#     (the report test renders report.html headless); installed only when missing.
#   - npm packages of the Parquet interop check (DuckDB, Arrow's and polars' Rust readers), pinned in tests/interop.
# Extra arguments go to `dotnet test`, e.g. scripts/test.sh --filter "FullyQualifiedName~Parquet".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
[[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || missing+=(rabbitmq-server)
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
if ((${#missing[@]})); then
  echo "installing ${missing[*]} with apt" >&2
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [[ ! -d tests/interop/node_modules/@duckdb/node-api || ! -d tests/interop/node_modules/parquet-wasm || ! -d tests/interop/node_modules/nodejs-polars-linux-x64-gnu ]]; then
  npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
fi

dotnet test SweepCluster.sln -c Release "$@"
