#!/usr/bin/env bash
# Load benchmark: familybot's webhook on MariaDB, once with the in-memory cache
# (cache.driver: memory, one copy) and once with Redis (cache.driver: redis, as
# several copies run), against a bare echo webhook on the same SDK (the floor),
# under the same closed-loop load of signed text messages. Order: bare, memory,
# redis, bare again (to see drift). Everything on 127.0.0.1; everything it
# starts it stops, and the databases it creates it drops.
#
#   bash bench/run.sh
#
# Knobs (environment): BENCH_MODES ("memory redis"), BENCH_CONNS (32), BENCH_SECONDS (20),
# BENCH_WARMUP_SECONDS (5), BENCH_RESIDENTS (1000), BENCH_FB_ADDR (127.0.0.1:18080),
# BENCH_FB_REDIS_ADDR (127.0.0.1:18082), BENCH_BARE_ADDR (127.0.0.1:18081),
# BENCH_REDIS_ADDR (127.0.0.1:6379), BENCH_REDIS_DB (15), BENCH_MYSQL_DSN_BASE
# (root@tcp(127.0.0.1:3306)), BENCH_MARIADB (the client command, "mariadb -uroot"),
# BENCH_DSN_PARAMS (appended to familybot's DSN, e.g. "&maxAllowedPacket=0" to try a
# driver setting without a code change), BENCH_KEEP_DB=1 keeps the databases,
# BENCH_PERF=1 records a CPU profile of each familybot under load with perf (needs perf),
# BENCH_UNIQUE=1 makes every question text distinct (nothing answered from memory).
set -euo pipefail
cd "$(dirname "$0")/.."

conns=${BENCH_CONNS:-32}
seconds=${BENCH_SECONDS:-20}
warmup=${BENCH_WARMUP_SECONDS:-5}
residents=${BENCH_RESIDENTS:-1000}
modes=${BENCH_MODES:-memory redis}
fb_addr=${BENCH_FB_ADDR:-127.0.0.1:18080}
fb_redis_addr=${BENCH_FB_REDIS_ADDR:-127.0.0.1:18082}
bare_addr=${BENCH_BARE_ADDR:-127.0.0.1:18081}
redis_addr=${BENCH_REDIS_ADDR:-127.0.0.1:6379}
redis_db=${BENCH_REDIS_DB:-15}
dsn_base=${BENCH_MYSQL_DSN_BASE:-root@tcp(127.0.0.1:3306)}
read -r -a mariadb <<< "${BENCH_MARIADB:-mariadb -uroot}"
token=benchtoken
bin=bench/bin
out=bench/results/$(date -u +%Y%m%dT%H%M%SZ)
db="familybot_bench_$$"
mkdir -p "$bin" "$out"

pids=()
cleanup() {
  local status=$?
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ "${BENCH_KEEP_DB:-}" != 1 ]; then
    for m in $modes; do
      "${mariadb[@]}" -e "DROP DATABASE IF EXISTS \`${db}_$m\`" >/dev/null 2>&1 || true
    done
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "bench: building into $bin/"
go build -o "$bin/familybot" .
go build -o "$bin/bareecho" ./bench/bareecho
go build -o "$bin/load" ./bench/load

# wait_http URL: up to 60 s for a 200.
wait_http() {
  for _ in $(seq 1 120); do
    if curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null; then return 0; fi
    sleep 0.5
  done
  echo "bench: $1 did not come up" >&2
  return 1
}

# familybot: MariaDB, no app_id (the outbox never calls WeChat), a rate limit
# high enough that 1000 simulated residents are never throttled, and no
# /metrics listener (nothing here reads it; its port may be taken).
# HTTPS_PROXY points at a closed loopback port so nothing can leave the machine.
# start_familybot MODE ADDR: its own database, the cache driver MODE.
declare -A fb_pids fb_addrs
start_familybot() {
  local mode=$1 addr=$2
  echo "bench: database ${db}_$mode"
  "${mariadb[@]}" -e "CREATE DATABASE \`${db}_$mode\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  FAMILYBOT_DATABASE_DRIVER=mysql \
  FAMILYBOT_DATABASE_DSN="$dsn_base/${db}_$mode?charset=utf8mb4&parseTime=true&loc=UTC${BENCH_DSN_PARAMS:-}" \
  FAMILYBOT_CACHE_DRIVER=$mode FAMILYBOT_CACHE_REDIS_ADDR=$redis_addr FAMILYBOT_CACHE_REDIS_DB=$redis_db \
  FAMILYBOT_OFFICIAL_ACCOUNT_TOKEN=$token \
  FAMILYBOT_OFFICIAL_ACCOUNT_APP_ID= \
  FAMILYBOT_ASSOCIATION_NAME=压测市计划生育协会 FAMILYBOT_ASSOCIATION_PHONE=0571-87654321 FAMILYBOT_ASSOCIATION_ADDRESS=压测路1号 \
  FAMILYBOT_SERVER_ADDR=$addr \
  FAMILYBOT_SERVER_METRICS_ADDR= \
  FAMILYBOT_SERVER_LOG_LEVEL=warn \
  FAMILYBOT_LIMITS_MESSAGES_PER_MINUTE=1000000 \
  HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY= \
    "$bin/familybot" serve > "$out/familybot-$mode.log" 2>&1 &
  fb_pids[$mode]=$!
  fb_addrs[$mode]=$addr
  pids+=("$!")
}
for m in $modes; do
  case $m in
    memory) start_familybot memory "$fb_addr" ;;
    redis) start_familybot redis "$fb_redis_addr" ;;
    *) echo "bench: unknown mode $m (BENCH_MODES: memory, redis)" >&2; exit 2 ;;
  esac
done
"$bin/bareecho" -addr "$bare_addr" -token "$token" > "$out/bareecho.log" 2>&1 &
bare_pid=$!
pids+=("$bare_pid")
db_pid=$(pidof mariadbd || pidof mysqld || true)
redis_pid=$(pidof redis-server | cut -d' ' -f1 || true)
for m in $modes; do wait_http "http://${fb_addrs[$m]}/healthz"; done
wait_http "http://$bare_addr/healthz"

# load LABEL ADDR CPU: one bounded run; its RESULT line goes to $out/LABEL.txt. The
# CPU time of the processes in CPU (name=pid,…: the server, MariaDB and Redis,
# shared with anything else using them) and of the load generator is reported
# per request.
limit=$(( seconds + warmup + 60 ))
load() {
  timeout "$limit" "$bin/load" -url "http://$2/wechat" -token "$token" -label "$1" \
    -c "$conns" -d "${seconds}s" -warmup "${warmup}s" -residents "$residents" ${BENCH_UNIQUE:+-unique} \
    -cpu "$3" | tee "$out/$1.txt"
}

echo "bench: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
load bare1 "$bare_addr" "server=$bare_pid"
for m in $modes; do
  cpu="server=${fb_pids[$m]}${db_pid:+,db=$db_pid}"
  if [ "$m" = redis ] && [ -n "$redis_pid" ]; then cpu="$cpu,redis=$redis_pid"; fi
  perf_pid=
  if [ "${BENCH_PERF:-}" = 1 ]; then
    perf record -F 999 -g -p "${fb_pids[$m]}" -o "$out/familybot-$m.perf.data" -- sleep "$(( seconds + warmup + 5 ))" > /dev/null 2>&1 &
    perf_pid=$!
  fi
  load "$m" "${fb_addrs[$m]}" "$cpu"
  if [ -n "$perf_pid" ]; then
    wait "$perf_pid" || true
    perf report -i "$out/familybot-$m.perf.data" --no-children --sort symbol --stdio 2>/dev/null | head -80 > "$out/familybot-$m.perf.txt" || true
    echo "bench: perf profile in $out/familybot-$m.perf.txt"
  fi
done
load bare2 "$bare_addr" "server=$bare_pid"
echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg) after the runs"

for m in $modes; do
  echo
  echo "bench: rows written by the $m run"
  for t in $("${mariadb[@]}" -N -e "SHOW TABLES FROM \`${db}_$m\`"); do
    n=$("${mariadb[@]}" -N -e "SELECT COUNT(*) FROM \`${db}_$m\`.\`$t\`")
    if [ "$n" != 0 ]; then printf '  %-28s %s\n' "$t" "$n"; fi
  done
done

# Side by side, against the mean of the two bare runs. Targets: memory >= 1.10x
# of the bare echo; redis >= 0.75x with p99 <= 20 ms; 0 errors.
echo
labels="bare1 $modes bare2"
awk -v conns="$conns" -v labels="$labels" '
  /^RESULT/ {
    delete v
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    l = v["label"]; rps[l] = v["rps"]; p50[l] = v["p50_ms"]; p99[l] = v["p99_ms"]; err[l] = v["errors"]; succ[l] = v["success"]
    cs[l] = v["cpu_server_ms_per_req"]; cd[l] = v["cpu_db_ms_per_req"]; cr[l] = v["cpu_redis_ms_per_req"]
  }
  END {
    printf "%-8s %10s %9s %9s %8s %8s %14s %14s %12s\n", "target", "req/s", "p50 ms", "p99 ms", "success", "errors", "server cpu ms", "mariadb cpu ms", "redis cpu ms"
    n = split(labels, order, " ")
    for (k = 1; k <= n; k++) { l = order[k]; printf "%-8s %10.0f %9.2f %9.2f %8d %8d %14.3f %14.3f %12.3f\n", l, rps[l], p50[l], p99[l], succ[l], err[l], cs[l], cd[l], cr[l] }
    bare = (rps["bare1"] + rps["bare2"]) / 2
    printf "\nbare drift %+.1f%%\n", 100 * (rps["bare2"] - rps["bare1"]) / rps["bare1"]
    if ("memory" in rps) {
      r = rps["memory"] / bare
      printf "memory / bare: %.2fx   target (>= 1.10x, 0 errors): %s\n", r, (r >= 1.10 && err["memory"] == 0) ? "MET" : "MISSED"
    }
    if ("redis" in rps) {
      r = rps["redis"] / bare
      printf "redis  / bare: %.2fx, p99 %.1f ms   target (>= 0.75x, p99 <= 20 ms at %d connections, 0 errors): %s\n", r, p99["redis"], conns, (r >= 0.75 && p99["redis"] <= 20 && err["redis"] == 0) ? "MET" : "MISSED"
    }
  }' $(for l in $labels; do echo "$out/$l.txt"; done) | tee "$out/summary.txt"
echo "bench: logs and results in $out/"
