#!/usr/bin/env bash
# No-op trials per second over the coordinator's whole life (process start to exit), embedded and on a loopback
# cluster of 1 coordinator + 4 nodes x 4 slots. Prints one line per mode. Needs a Release build:
#   dotnet build src/Coordinator -c Release && benchmarks/cluster/throughput.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bin=src/Coordinator/bin/Release/net10.0
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
trials=$(( $(sed -n 's/.*seed: { range: \[0, \([0-9]*\)\] }.*/\1/p' benchmarks/cluster/noop.yaml) + 1 ))

start=$(date +%s.%N)
dotnet $bin/sweep.dll run benchmarks/cluster/noop.yaml --runs "$work/embedded" > "$work/embedded.log"
end=$(date +%s.%N)
echo "embedded ($(nproc) slots): $trials trials in $(echo "$end - $start" | bc) s = $(echo "$trials / ($end - $start)" | bc) trials/s"

port=$((20000 + RANDOM % 20000))
for i in 1 2 3 4; do
  dotnet $bin/sweep-node.dll --coordinator 127.0.0.1:$port --slots 4 --node-id n$i > "$work/node$i.log" 2>&1 &
done
start=$(date +%s.%N)
dotnet $bin/sweep.dll run benchmarks/cluster/noop.yaml --runs "$work/cluster" --listen 127.0.0.1:$port > "$work/cluster.log"
end=$(date +%s.%N)
echo "cluster (1 coordinator + 4 nodes x 4 slots, loopback): $trials trials in $(echo "$end - $start" | bc) s = $(echo "$trials / ($end - $start)" | bc) trials/s"
grep -h "trials/s\|/s," "$work/cluster.log" | tail -1
