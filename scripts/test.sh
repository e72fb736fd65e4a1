#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs what the tests need, then `dotnet test`.
#   - Debian packages: chromium (the report test renders report.html headless), openssl (the TLS test makes a
#     self-signed certificate), slurm-wlm and munge (the Slurm job scripts are tested under a one-host Slurm, started
#     here by scripts/slurm/start-local-slurm.sh), python3-torch (the PyTorch example program runs on the CPU under
#     /usr/bin/python3); installed only when missing.
#   - npm packages of the Parquet interop check (DuckDB, Arrow's and polars' Rust readers), pinned in tests/interop.
# Extra arguments go to `dotnet test`, e.g. scripts/test.sh --filter "FullyQualifiedName~Parquet".
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v openssl >/dev/null || missing+=(openssl)
[[ -x /usr/sbin/slurmctld && -x /usr/sbin/slurmd ]] || missing+=(slurm-wlm)
[[ -x /usr/sbin/munged ]] || missing+=(munge)
/usr/bin/python3 -c "import torch" 2>/dev/null || missing+=(python3-torch)
if ((${#missing[@]})); then
  echo "installing ${missing[*]} with apt" >&2
  sudo=""; [[ $(id -u) -eq 0 ]] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

scripts/slurm/start-local-slurm.sh

if [[ ! -d tests/interop/node_modules/@duckdb/node-api || ! -d tests/interop/node_modules/parquet-wasm || ! -d tests/interop/node_modules/nodejs-polars-linux-x64-gnu ]]; then
  npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
fi

dotnet test SweepCluster.sln -c Release "$@"
