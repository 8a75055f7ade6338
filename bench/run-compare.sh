#!/usr/bin/env bash
# Runs the same Hub.Bench scenarios against nchan and Hub (embedded; with --cluster also the Redis cluster
# of 2 silos and 2 API nodes), one target at a time so each has the machine to itself, and writes the
# comparison with Hub/nchan ratios to bench/results/<date>-<cores>core[-<size>].md and .json.
#
#   bench/run-compare.sh [--size small|large] [--cluster] [--scenarios "idle fanout peak saturate resume publish"]
#
# Not in the default set: stream (Hub only: N streamed publishes at 50 chunks/s, one viewer each; large 500,
# small 100), e.g. --cluster --scenarios stream for the embedded and the cluster figure.
#
# fanout publishes at half of nchan's saturating rate on this machine, peak at about that rate (large: 50 and
# 200 events/s to 1,000 subscribers); saturate raises the rate step by step until latency or deliveries give.
#
# Installs nginx-light and libnginx-mod-nchan from Debian's packages when missing. Every server listens on
# 127.0.0.1 on a free port; every process it starts it stops on exit (by PID).
set -euo pipefail
shopt -s nullglob
cd "$(dirname "$0")/.."

size=small; cluster=0; scenarios="idle fanout peak saturate resume publish"
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift 2 ;;
    --cluster) cluster=1; shift ;;
    --scenarios) scenarios="$2"; shift 2 ;;
    *) echo "usage: $0 [--size small|large] [--cluster] [--scenarios \"idle fanout peak saturate resume publish\"]" >&2; exit 2 ;;
  esac
done
case "$size" in
  small) subs=200; rate=200; peak=800; duration=10; idle=2000; storm=1000; sat_subs=200; sat_rate=100; streams=100 ;;
  large) subs=1000; rate=50; peak=200; duration=10; idle=10000; storm=5000; sat_subs=1000; sat_rate=25; streams=500 ;;
  *) echo "--size is small or large" >&2; exit 2 ;;
esac

work=$(mktemp -d /tmp/hub-bench.XXXXXX)
pids=()
stop_pids() {
  # Stop what we started, newest first: TERM, a grace period, then KILL.
  local i pid
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill -TERM "${pids[i]}" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  pids=()
}
cleanup() { stop_pids; rm -rf "$work"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "== $*" >&2; }

# A random free loopback port below the ephemeral range (thousands of client connections take ports from
# that range, and a port held by a connection cannot be bound), outside the defaults others use (30000).
used_ports=" 30000 "
ephemeral_low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range)
free_port() {
  local p
  while true; do
    p=$((20000 + RANDOM % (ephemeral_low - 20000)))
    case "$used_ports" in *" $p "*) continue ;; esac
    if [ -z "$(ss -Htan "sport = :$p")" ]; then used_ports+="$p "; echo "$p"; return; fi
  done
}

wait_http() { # url, seconds
  for _ in $(seq 1 $(($2 * 5))); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done
  return 1
}

wait_listen() { # port, seconds
  for _ in $(seq 1 $(($2 * 5))); do [ -n "$(ss -Htln "sport = :$1")" ] && return 0; sleep 0.2; done
  return 1
}

# --- prerequisites -----------------------------------------------------------------------------------
# Checked by file: on a fresh machine apt has no package lists yet, so apt-cache knows neither package.
if ! command -v nginx >/dev/null 2>&1 || [ ! -f /usr/lib/nginx/modules/ngx_nchan_module.so ]; then
  log "installing nginx-light and libnginx-mod-nchan from Debian's packages"
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nginx-light libnginx-mod-nchan >/dev/null
fi
module=$(ls /usr/lib/nginx/modules/ngx_nchan_module.so)

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
log "building (Release)"
dotnet build src/Hub.Api -c Release -nologo -clp:ErrorsOnly >&2
dotnet build src/Hub.Silo -c Release -nologo -clp:ErrorsOnly >&2
dotnet build bench/Hub.Bench -c Release -nologo -clp:ErrorsOnly >&2
bench=(dotnet bench/Hub.Bench/bin/Release/net10.0/Hub.Bench.dll)
api_dll=src/Hub.Api/bin/Release/net10.0/Hub.Api.dll
silo_dll=src/Hub.Silo/bin/Release/net10.0/Hub.Silo.dll
results="$work/results"; mkdir -p "$results"
# The fan-out and publish runs publish for this long before measuring, against every target alike: a
# .NET server still compiles its hot paths (tiered JIT) for its first ~30 s, which is not how a node that
# runs for days behaves; nchan has nothing to warm. (Hub.Bench's own default is 2 s.)
warmup=10
# Warnings only; the benchmark publishes anonymously from one address, so it opts out of the auth
# requirement and the per-address limits that protect a production hub.
hub_quiet=(--Logging:LogLevel:Default=Warning --Hub:Auth:AllowAnonymousPublish=true
  --Hub:Limits:MaxConnectionsPerClient=0 --Hub:Limits:PublishRequestsPerSecond=0 --Hub:Limits:ReadRequestsPerSecond=0)

# --- the scenarios, against one running target ---------------------------------------------------------
run_scenarios() { # target label urls pids
  local target=$1 label=$2 urls=$3 server_pids=$4 s
  local common=(--target "$target" --label "$label" --targets "$urls")
  for s in $scenarios; do
    log "$label: $s"
    case "$s" in
      idle) "${bench[@]}" idle "${common[@]}" --pid "$server_pids" --connections "$idle" --out "$results/idle-$label" ;;
      fanout) "${bench[@]}" fanout "${common[@]}" --subscribers "$subs" --rate "$rate" --duration "$duration" --warmup "$warmup" --out "$results/fanout-$label" ;;
      peak) "${bench[@]}" fanout "${common[@]}" --subscribers "$subs" --rate "$peak" --duration "$duration" --warmup "$warmup" --out "$results/peak-$label" ;;
      saturate) "${bench[@]}" fanout "${common[@]}" --saturate --subscribers "$sat_subs" --rate "$sat_rate" --out "$results/saturate-$label" ;;
      resume) "${bench[@]}" resume-storm "${common[@]}" --clients "$storm" --behind 100 --out "$results/resume-$label" ;;
      stream)
        # Streamed publishes (text/event-stream bodies) are Hub's own endpoint: nchan has none to compare.
        if [ "$target" = nchan ]; then log "$label: stream skipped (nchan has no streamed publish)"; continue; fi
        "${bench[@]}" stream "${common[@]}" --streams "$streams" --chunks-per-second 50 --duration "$((duration * 3))" --warmup "$warmup" --out "$results/stream-$label" ;;
      publish)
        "${bench[@]}" publish "${common[@]}" --publishers 64 --topics 100 --duration "$duration" --warmup "$warmup" --out "$results/publish100-$label"
        "${bench[@]}" publish "${common[@]}" --publishers 64 --topics 1 --duration "$duration" --warmup "$warmup" --out "$results/publish1-$label" ;;
      *) echo "unknown scenario $s" >&2; exit 2 ;;
    esac >/dev/null || log "$label: $s failed (see above); going on"
  done
}

# --- nchan ---------------------------------------------------------------------------------------------
port=$(free_port); dir="$work/nchan"; mkdir -p "$dir"
sed -e "s|@DIR@|$dir|g; s|@PORT@|$port|g; s|@MODULE@|$module|g" bench/nchan.conf > "$dir/nginx.conf"
log "starting nchan on 127.0.0.1:$port"
nginx -p "$dir" -c "$dir/nginx.conf" >"$dir/stdout.log" 2>&1 &
pids+=($!); master=$!
wait_listen "$port" 20 || { cat "$dir/error.log" >&2; exit 1; }
workers=$(pgrep -P "$master" | paste -sd, -)
run_scenarios nchan nchan "http://127.0.0.1:$port" "$master,$workers"
stop_pids

# --- Hub, embedded -------------------------------------------------------------------------------------
port=$(free_port); silo=$(free_port); gateway=$(free_port)
log "starting Hub (embedded) on 127.0.0.1:$port"
dotnet "$api_dll" --urls "http://127.0.0.1:$port" --Hub:Cluster:SiloPort="$silo" --Hub:Cluster:GatewayPort="$gateway" "${hub_quiet[@]}" >"$work/hub.log" 2>&1 &
pids+=($!); hub=$!
wait_http "http://127.0.0.1:$port/health/ready" 60 || { tail -50 "$work/hub.log" >&2; exit 1; }
run_scenarios hub hub "http://127.0.0.1:$port" "$hub"
stop_pids

# --- Hub, Redis cluster: 2 silos, 2 API nodes ---------------------------------------------------------
if [ "$cluster" = 1 ]; then
  redis_port=$(free_port)
  log "starting redis-server on 127.0.0.1:$redis_port"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no >"$work/redis.log" 2>&1 &
  pids+=($!)
  wait_listen "$redis_port" 20
  export Hub__Redis__ConnectionString="127.0.0.1:$redis_port" Hub__Cluster__ClusterId="bench-$$"
  for i in 1 2; do
    sp=$(free_port); gp=$(free_port); hp=$(free_port)
    Hub__Cluster__SiloPort=$sp Hub__Cluster__GatewayPort=$gp dotnet "$silo_dll" --urls "http://127.0.0.1:$hp" "${hub_quiet[@]}" >"$work/silo$i.log" 2>&1 &
    pids+=($!)
    wait_http "http://127.0.0.1:$hp/health/live" 60 || { tail -50 "$work/silo$i.log" >&2; exit 1; }
  done
  urls=(); api_pids=()
  for i in 1 2; do
    ap=$(free_port)
    dotnet "$api_dll" --urls "http://127.0.0.1:$ap" "${hub_quiet[@]}" >"$work/api$i.log" 2>&1 &
    pids+=($!); api_pids+=($!); urls+=("http://127.0.0.1:$ap")
  done
  ready=1
  for u in "${urls[@]}"; do wait_http "$u/health/ready" 90 || ready=0; done
  if [ "$ready" = 1 ]; then
    # Idle memory is the RSS of both API nodes summed, divided by all connections.
    run_scenarios hub hub-cluster "$(IFS=,; echo "${urls[*]}")" "$(IFS=,; echo "${api_pids[*]}")"
  else
    log "the cluster did not become ready (is the Redis event log merged?); skipping it"
    tail -20 "$work/api1.log" >&2
  fi
  stop_pids
  unset Hub__Redis__ConnectionString Hub__Cluster__ClusterId
fi

# --- the comparison ------------------------------------------------------------------------------------
out="bench/results/$(date +%F)-$(nproc)core-$size"
[ "$cluster" = 1 ] && out+="-cluster"
[ "$scenarios" != "idle fanout peak saturate resume publish" ] && out+="-${scenarios// /-}"
load=$(cut -d' ' -f1-3 /proc/loadavg)
files=()
for s in fanout peak saturate resume idle publish100 publish1 stream; do files+=("$results/$s"-*.json); done
"${bench[@]}" report "${files[@]}" --out "$out" \
  --note "Size $size on $(nproc) cores shared with other work (load average at the end: $load); each target ran alone, one after the other, client and server on the same machine, so figures are noisy and include the load generator's own CPU use." \
  --note "Latency is publish-to-receive: from just before the publish request is sent to the moment the subscriber parsed the event." >/dev/null
log "wrote $out.md and $out.json"
