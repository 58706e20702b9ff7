#!/usr/bin/env bash
# Load benchmark: familybot's webhook on MariaDB against a bare echo webhook on the
# same SDK (the floor), under the same closed-loop load of signed text messages.
# Order: bare, familybot, bare again (to see drift). Everything on 127.0.0.1;
# everything it starts it stops, and the database it creates it drops.
#
#   bash bench/run.sh
#
# Knobs (environment): BENCH_CONNS (32), BENCH_SECONDS (20), BENCH_WARMUP_SECONDS (5),
# BENCH_RESIDENTS (1000), BENCH_FB_ADDR (127.0.0.1:18080), BENCH_BARE_ADDR
# (127.0.0.1:18081), BENCH_MYSQL_DSN_BASE (root@tcp(127.0.0.1:3306)), BENCH_MARIADB
# (the client command, "mariadb -uroot"), BENCH_DSN_PARAMS (appended to familybot's
# DSN, e.g. "&maxAllowedPacket=0" to try a driver setting without a code change),
# BENCH_KEEP_DB=1 keeps the database,
# BENCH_PERF=1 records a CPU profile of familybot under load with perf (needs perf),
# BENCH_UNIQUE=1 makes every question text distinct (nothing answered from memory).
set -euo pipefail
cd "$(dirname "$0")/.."

conns=${BENCH_CONNS:-32}
seconds=${BENCH_SECONDS:-20}
warmup=${BENCH_WARMUP_SECONDS:-5}
residents=${BENCH_RESIDENTS:-1000}
fb_addr=${BENCH_FB_ADDR:-127.0.0.1:18080}
bare_addr=${BENCH_BARE_ADDR:-127.0.0.1:18081}
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
    "${mariadb[@]}" -e "DROP DATABASE IF EXISTS \`$db\`" >/dev/null 2>&1 || true
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

echo "bench: database $db"
"${mariadb[@]}" -e "CREATE DATABASE \`$db\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"

# familybot: MariaDB, in-memory cache, no app_id (the outbox never calls WeChat),
# a rate limit high enough that 1000 simulated residents are never throttled,
# and no /metrics listener (nothing here reads it; its port may be taken).
# HTTPS_PROXY points at a closed loopback port so nothing can leave the machine.
FAMILYBOT_DATABASE_DRIVER=mysql \
FAMILYBOT_DATABASE_DSN="$dsn_base/$db?charset=utf8mb4&parseTime=true&loc=UTC${BENCH_DSN_PARAMS:-}" \
FAMILYBOT_CACHE_DRIVER=memory \
FAMILYBOT_OFFICIAL_ACCOUNT_TOKEN=$token \
FAMILYBOT_OFFICIAL_ACCOUNT_APP_ID= \
FAMILYBOT_ASSOCIATION_NAME=压测市计划生育协会 FAMILYBOT_ASSOCIATION_PHONE=0571-87654321 FAMILYBOT_ASSOCIATION_ADDRESS=压测路1号 \
FAMILYBOT_SERVER_ADDR=$fb_addr \
FAMILYBOT_SERVER_METRICS_ADDR= \
FAMILYBOT_SERVER_LOG_LEVEL=warn \
FAMILYBOT_LIMITS_MESSAGES_PER_MINUTE=1000000 \
HTTPS_PROXY=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 NO_PROXY= \
  "$bin/familybot" serve > "$out/familybot.log" 2>&1 &
fb_pid=$!
pids+=("$fb_pid")
"$bin/bareecho" -addr "$bare_addr" -token "$token" > "$out/bareecho.log" 2>&1 &
bare_pid=$!
pids+=("$bare_pid")
db_pid=$(pidof mariadbd || pidof mysqld || true)
wait_http "http://$fb_addr/healthz"
wait_http "http://$bare_addr/healthz"

# load LABEL ADDR PID: one bounded run; its RESULT line goes to $out/LABEL.txt. The
# CPU time of the server, of MariaDB (shared with anything else using it) and of
# the load generator is reported per request.
limit=$(( seconds + warmup + 60 ))
load() {
  timeout "$limit" "$bin/load" -url "http://$2/wechat" -token "$token" -label "$1" \
    -c "$conns" -d "${seconds}s" -warmup "${warmup}s" -residents "$residents" ${BENCH_UNIQUE:+-unique} \
    -cpu "server=$3${db_pid:+,db=$db_pid}" | tee "$out/$1.txt"
}

echo "bench: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) before the runs"
load bare1 "$bare_addr" "$bare_pid"
if [ "${BENCH_PERF:-}" = 1 ]; then
  perf record -F 999 -g -p "$fb_pid" -o "$out/familybot.perf.data" -- sleep "$(( seconds + warmup + 5 ))" > /dev/null 2>&1 &
  perf_pid=$!
fi
load familybot "$fb_addr" "$fb_pid"
if [ -n "${perf_pid:-}" ]; then
  wait "$perf_pid" || true
  perf report -i "$out/familybot.perf.data" --no-children --sort symbol --stdio 2>/dev/null | head -80 > "$out/familybot.perf.txt" || true
  echo "bench: perf profile in $out/familybot.perf.txt"
fi
load bare2 "$bare_addr" "$bare_pid"
echo "bench: load average $(cut -d' ' -f1-3 /proc/loadavg) after the runs"

echo
echo "bench: rows written by the familybot run"
for t in $("${mariadb[@]}" -N -e "SHOW TABLES FROM \`$db\`"); do
  n=$("${mariadb[@]}" -N -e "SELECT COUNT(*) FROM \`$db\`.\`$t\`")
  if [ "$n" != 0 ]; then printf '  %-28s %s\n' "$t" "$n"; fi
done

# Side by side, against the mean of the two bare runs.
echo
awk -v conns="$conns" '
  /^RESULT/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    l = v["label"]; rps[l] = v["rps"]; p50[l] = v["p50_ms"]; p99[l] = v["p99_ms"]; err[l] = v["errors"]; succ[l] = v["success"]
    cs[l] = v["cpu_server_ms_per_req"]; cd[l] = v["cpu_db_ms_per_req"]
  }
  END {
    printf "%-10s %10s %9s %9s %8s %8s %14s %14s\n", "target", "req/s", "p50 ms", "p99 ms", "success", "errors", "server cpu ms", "mariadb cpu ms"
    split("bare1 familybot bare2", order, " ")
    for (k = 1; k <= 3; k++) { l = order[k]; printf "%-10s %10.0f %9.2f %9.2f %8d %8d %14.3f %14.3f\n", l, rps[l], p50[l], p99[l], succ[l], err[l], cs[l], cd[l] }
    bare = (rps["bare1"] + rps["bare2"]) / 2
    ratio = rps["familybot"] / bare
    printf "\nfamilybot / bare throughput: %.0f%% (bare drift %+.1f%%)\n", 100 * ratio, 100 * (rps["bare2"] - rps["bare1"]) / rps["bare1"]
    ok = ratio >= 0.60 && p99["familybot"] < 50 && err["familybot"] == 0
    printf "target (>= 60%% of bare, p99 < 50 ms at %d connections, 0 errors): %s\n", conns, ok ? "MET" : "MISSED"
  }' "$out"/bare1.txt "$out"/familybot.txt "$out"/bare2.txt | tee "$out/summary.txt"
echo "bench: logs and results in $out/"
