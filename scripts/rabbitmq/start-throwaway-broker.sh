#!/usr/bin/env bash
# Starts a throwaway RabbitMQ broker on 127.0.0.1:PORT with all its state in DIR, and returns once the
# broker process is launched (not when it accepts connections: retry an AMQP connection for that).
# Installs rabbitmq-server with apt when it is missing (CI machines are fresh).
# Calling it again with the same arguments after a stop restarts the same broker with its messages.
# Stop it with: kill -TERM "$(cat DIR/rabbit.pid)"
#
# usage: start-throwaway-broker.sh DIR PORT [--definitions FILE] [--tls-port PORT]
#   --definitions FILE  users, vhosts and permissions to load at boot (RabbitMQ's definitions JSON)
#   --tls-port PORT     also listen for amqps on 127.0.0.1:PORT with DIR/tls/{ca.pem,server.pem,server.key}
set -euo pipefail

usage="usage: start-throwaway-broker.sh DIR PORT [--definitions FILE] [--tls-port PORT]"
dir=${1:?$usage}
port=${2:?$usage}
shift 2
definitions=""
tls_port=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --definitions) definitions=${2:?$usage}; shift 2 ;;
    --tls-port) tls_port=${2:?$usage}; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
config_src="$here/../../cluster-config/rabbitmq"
server=/usr/lib/rabbitmq/bin/rabbitmq-server

if [[ ! -x $server ]]; then
  echo "rabbitmq-server missing: installing it with apt" >&2
  sudo=""
  if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >&2
  $sudo apt-get install -y -qq --no-install-recommends rabbitmq-server >&2
fi

mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
dir=$(cd "$dir" && pwd)

# The distribution port must be unique per broker too; derive it from the AMQP port to stay stable across restarts.
dist_port=$(( port + 20000 > 65000 ? port - 20000 : port + 20000 ))

# The cluster's rabbitmq.conf without its listeners, then this broker's loopback listener.
grep -v '^listeners\.' "$config_src/rabbitmq.conf" > "$dir/rabbitmq.conf"
echo "listeners.tcp.1 = 127.0.0.1:$port" >> "$dir/rabbitmq.conf"
if [[ -n $definitions ]]; then echo "load_definitions = $definitions" >> "$dir/rabbitmq.conf"; fi
if [[ -n $tls_port ]]; then
  cat >> "$dir/rabbitmq.conf" <<CONF
listeners.ssl.1 = 127.0.0.1:$tls_port
ssl_options.cacertfile = $dir/tls/ca.pem
ssl_options.certfile = $dir/tls/server.pem
ssl_options.keyfile = $dir/tls/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
CONF
fi
cp "$config_src/advanced.config" "$dir/advanced.config"
echo '[].' > "$dir/enabled_plugins"
: > "$dir/rabbitmq-env.conf"

export HOME="$dir/home"
export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
export RABBITMQ_NODENAME="throwaway-$port@localhost"
export RABBITMQ_NODE_PORT="$port"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
export RABBITMQ_DIST_PORT="$dist_port"
export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
export RABBITMQ_MNESIA_BASE="$dir/mnesia"
export RABBITMQ_LOG_BASE="$dir/log"
export RABBITMQ_PID_FILE="$dir/rabbit.pid"

rm -f "$dir/rabbit.pid"
# Not -detached: that hides configuration errors, which go to stdout before the log exists.
setsid nohup "$server" >> "$dir/stdout.log" 2>&1 < /dev/null &
echo "broker starting: amqp://127.0.0.1:$port/ (node $RABBITMQ_NODENAME, state in $dir, output in $dir/stdout.log)"
