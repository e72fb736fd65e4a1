#!/usr/bin/env bash
# With the shipped failure-detector settings (cluster-config/akka.conf), on loopback:
#  1. SIGKILL of the node running a trial -> the trial running on another node (ROUNDS times, the trial passed on);
#  2. SIGKILL of the coordinator, restarted at once on the same address -> each running node registered again.
# Needs a Release build: dotnet build src/Coordinator -c Release && benchmarks/cluster/faults.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
bin=src/Coordinator/bin/Release/net10.0
rounds=${1:-5}
work=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
now() { date +%s.%N; }
wait_for() { # file pattern [count]
  local n=${3:-1}
  until [[ $(grep -c -- "$2" "$1" 2>/dev/null || true) -ge $n ]]; do sleep 0.02; done
}

dotnet $bin/sweep.dll run benchmarks/cluster/long.yaml --runs "$work/runs" --listen 127.0.0.1:$port > "$work/coordinator.log" 2>&1 &
coordinator=$!
start_node() { dotnet $bin/sweep-node.dll --coordinator 127.0.0.1:$port --slots 1 --node-id "$1" --verbose > "$work/$1.log" 2>&1 & echo $!; }
holder=$(start_node n0); holder_name=n0
wait_for "$work/n0.log" "busy 1/1"
for i in $(seq 1 "$rounds"); do
  spare=$(start_node "n$i")
  wait_for "$work/n$i.log" "registered with sweep"
  sleep 2
  t0=$(now); kill -9 "$holder"
  wait_for "$work/n$i.log" "busy 1/1"
  t1=$(now)
  echo "round $i: SIGKILL of $holder_name -> trial running on n$i after $(echo "$t1 - $t0" | bc) s"
  holder=$spare; holder_name=n$i
done

# Coordinator restart: three more idle nodes plus the holder, then kill -9 and start the same command again.
for j in a b c; do start_node "r$j" > /dev/null; wait_for "$work/r$j.log" "registered with sweep"; done
sleep 2
t0=$(now); kill -9 $coordinator
dotnet $bin/sweep.dll run benchmarks/cluster/long.yaml --runs "$work/runs" --listen 127.0.0.1:$port > "$work/coordinator2.log" 2>&1 &
for j in a b c; do
  wait_for "$work/r$j.log" "registered with sweep" 2
  echo "coordinator restart: node r$j registered with the new coordinator after $(echo "$(now) - $t0" | bc) s"
done
wait_for "$work/n$rounds.log" "registered with sweep" 2
echo "coordinator restart: node n$rounds (running the trial) registered after $(echo "$(now) - $t0" | bc) s"
