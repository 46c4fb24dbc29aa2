#!/usr/bin/env bash
# Load figures of one instance (issue 8, part): start-up time and idle RSS of the packaged jar, and the history
# query at 10^6 stored analyses on PostgreSQL against /q/health/live at the same concurrency, the plans and times of
# the store queries the service runs on timers, and the DORA report over those analyses against PostgreSQL's own read.
# Options (environment): RUNS (starts per series, 3), SKIP_DEFAULTS=1 (no JVM-defaults series), EXTRA_FLAGS (one more
# series, and the history part, with these JVM flags), APP (another packaged build), HISTORY_JFR=1, READY_KAFKA=1,
# COMPARE_APP=dir (another packaged build, e.g. of an older commit: PAIRS starts of each, alternating, on their own
# databases, and the paired difference of start to live and of CPU; start-up moves by more between hours than
# between builds, so only alternating starts compare two builds).
# Usage (from the repository root, after ./mvnw package -DskipTests and (cd load-test && ../mvnw package)):
#   bash load-test/history-and-startup.sh [rows=1000000] [concurrency=16, or a list like 1,4,16] [seconds=20]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-1000000}; CONC=${2:-16}; SECS=${3:-20}; RUNS=${RUNS:-3}
[ -f target/quarkus-app/quarkus-run.jar ] || { echo "build first: ./mvnw -B package -DskipTests" >&2; exit 1; }
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort | tail -1)
WORK=$(mktemp -d); chmod 777 "$WORK"
AS=(); [ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
HTTP=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
# the database (≈ 2 GB at 10^6 analyses) goes with the run; the service log and JFR file stay in $WORK
cleanup() { [ -n "${SVC:-}" ] && kill "$SVC" 2>/dev/null || true; [ -n "${BROKER:-}" ] && kill "$BROKER" 2>/dev/null || true
  "${AS[@]}" "$BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$WORK/pg"; echo "service log: $WORK/service.log" >&2; }
trap cleanup EXIT
trap 'exit 1' INT TERM
"${AS[@]}" "$BIN/initdb" -D "$WORK/pg" -U canary --auth=trust -E UTF8 --no-sync >/dev/null
"${AS[@]}" "$BIN/pg_ctl" -D "$WORK/pg" -o "-p $PORT -k $WORK -c listen_addresses=127.0.0.1 -c fsync=off" -l "$WORK/pg.log" -w start >/dev/null
psql -h 127.0.0.1 -p "$PORT" -U canary -d postgres -qc "CREATE DATABASE canary"
URL="jdbc:postgresql://127.0.0.1:$PORT/canary"

# The DORA gauges are recomputed from every judged analysis of the last 30 days (canary.dora.refresh, default 60 s,
# first at start-up on the empty store): at 10^6 analyses that read takes seconds of service and database CPU each
# minute, so it is deferred past the run here to measure the history query on its own; the DORA report itself is
# timed at the end, against PostgreSQL's time for the same rows.
export CANARY_DORA_REFRESH=${CANARY_DORA_REFRESH:-1h}
# READY_KAFKA=1: a real broker (load-test BrokerMain, its own JVM) instead of an unreachable one, and each start also
# waits until every readiness check but Prometheus' is UP (Kafka channels connected, templates, migrations, store)
KAFKA=127.0.0.1:1; KAFKA_NOTE="Kafka unreachable"
if [ "${READY_KAFKA:-0}" = 1 ]; then
  [ -f load-test/target/scale.classpath ] && [ load-test/target/scale.classpath -nt load-test/pom.xml ] || \
    (cd load-test && ../mvnw -B -o -q dependency:build-classpath -Dmdep.outputFile=target/scale.classpath)
  java -Xmx512m -cp "load-test/target/classes:$(cat load-test/target/scale.classpath)" io.canaryjudge.load.scale.BrokerMain \
    "$WORK/kafka" > "$WORK/broker.log" 2>&1 &
  BROKER=$!
  until grep -q '^bootstrap=' "$WORK/broker.log"; do kill -0 "$BROKER" || { cat "$WORK/broker.log"; exit 1; }; sleep 0.2; done
  KAFKA=$(sed -n 's/^bootstrap=//p' "$WORK/broker.log"); KAFKA_NOTE="Kafka at $KAFKA"
fi
echo "== start-up (packaged jar, PostgreSQL store, $KAFKA_NOTE; median of $RUNS starts) =="
APP=${APP:-target/quarkus-app}   # APP=dir: another packaged build (before/after comparisons)
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# one start: writes "<ms to /q/health/live> <RSS kB after 5 s idle> <ms to 'started in'> <ms to templates loaded>
# <CPU ms of the process at live>"; leaves the service running as $SVC
at_ms() { # wall-clock ms of the first log line matching $1 (the log's HH:MM:SS.mmm, today)
  local hms; hms=$(grep -m1 "$1" "$WORK/service.log" | cut -c1-12)
  [ -n "$hms" ] && echo $(( $(date -d "$(date +%F) ${hms%.*}" +%s) * 1000 + 10#${hms#*.} )) || echo 0
}
start() {
  local t1 t2 cpu
  t1=$(date +%s%N)
  (cd "$APP" && KAFKA_BOOTSTRAP_SERVERS=$KAFKA CANARY_DB_URL="$URL" CANARY_DB_USER=canary PORT=$HTTP \
    CANARY_AUTH_MODE=open CANARY_TEMPLATES_DIR="${TPL:-$OLDPWD/analysis-templates}" exec java "$@" -jar quarkus-run.jar) > "$WORK/service.log" 2>&1 &
  SVC=$!
  until curl -sf "http://127.0.0.1:$HTTP/q/health/live" >/dev/null; do sleep 0.02; done
  t2=$(date +%s%N)
  cpu=$(awk '{print ($14+$15)*1000/'"$(getconf CLK_TCK)"'}' /proc/$SVC/stat)
  local t3=0
  if [ "${READY_KAFKA:-0}" = 1 ]; then
    # every readiness check UP except 'prometheus' (this script runs no Prometheus)
    for _ in $(seq 3000); do
      curl -s "http://127.0.0.1:$HTTP/q/health/ready" | python3 -c 'import json,sys
c=json.load(sys.stdin)["checks"]; sys.exit(0 if all(x["status"]=="UP" for x in c if x["name"]!="prometheus") else 1)' \
        2>/dev/null && { t3=$(date +%s%N); break; }
      sleep 0.02
    done
  fi
  sleep 5
  local t1ms=$((t1/1000000))
  echo "$(( (t2-t1)/1000000 )) $(awk '/VmRSS/{print $2}' /proc/$SVC/status) $(( $(at_ms 'started in') - t1ms ))" \
    "$(( $(at_ms 'templates dirs=') - t1ms )) $cpu $(( t3 > 0 ? (t3-t1)/1000000 : -1 ))" > "$WORK/last"
}
stop() { kill "$SVC"; wait "$SVC" 2>/dev/null || true; SVC=; }
BASE=(); for i in $(seq "$RUNS"); do t0=$(date +%s%N); java -version >/dev/null 2>&1; BASE+=($(( ($(date +%s%N)-t0)/1000000 ))); done
printf 'baseline JVM start (java -version):          %5d ms\n' "$(printf '%s\n' "${BASE[@]}" | median)"
report() {
  local label=$1; shift
  local ms=() kb=() up=() tpl=() cpu=() rd=()
  for i in $(seq "$RUNS"); do
    start "$@"; read -r m k u t c r < "$WORK/last"; ms+=("$m"); kb+=("$k"); up+=("$u"); tpl+=("$t"); cpu+=("$c"); rd+=("$r")
    stop
  done
  printf '%-44s %5d ms to live (goal <= 2000), idle RSS %4d MB (goal <= 200)\n' "$label:" \
    "$(printf '%s\n' "${ms[@]}" | median)" "$(( $(printf '%s\n' "${kb[@]}" | median) / 1024 ))"
  printf '%-44s %5d ms to templates loaded, %5d ms to the "started in" line, %5d ms CPU to live; load %s\n' "" \
    "$(printf '%s\n' "${tpl[@]}" | median)" "$(printf '%s\n' "${up[@]}" | median)" \
    "$(printf '%s\n' "${cpu[@]}" | median)" "$(cut -d' ' -f1-3 /proc/loadavg)"
  [ "${READY_KAFKA:-0}" = 1 ] && printf '%-44s %5d ms to ready but Prometheus (-1: not within 60 s)\n' "" \
    "$(printf '%s\n' "${rd[@]}" | median)"
  return 0
}
FLAGS=(-XX:SharedArchiveFile=app-cds.jsa -XX:+UseSerialGC -Xms32m -Xmx512m)
[ "${SKIP_DEFAULTS:-0}" = 1 ] || report "java -jar (JVM defaults on this host)"
report "recommended flags (README, Running it)" "${FLAGS[@]}"
# EXTRA_FLAGS: one more series with the recommended flags plus these, and the history part runs with them too
if [ -n "${EXTRA_FLAGS:-}" ]; then FLAGS+=($EXTRA_FLAGS); report "recommended + $EXTRA_FLAGS" "${FLAGS[@]}"; fi
if [ -n "${COMPARE_APP:-}" ]; then
  psql -h 127.0.0.1 -p "$PORT" -U canary -d postgres -qc "CREATE DATABASE canary_compare"
  PAIRS=${PAIRS:-12}; THIS_APP=$APP; THIS_URL=$URL; : > "$WORK/pairs"
  echo "-- $PAIRS alternating starts of $COMPARE_APP (A) and $THIS_APP (B), recommended flags"
  for i in $(seq "$PAIRS"); do
    # the other build with its own templates (<tree>/target/quarkus-app -> <tree>/analysis-templates)
    APP=$COMPARE_APP; URL="${THIS_URL%/canary}/canary_compare"; TPL=$(cd "$COMPARE_APP/../.." && pwd)/analysis-templates
    start "${FLAGS[@]}"; read -r ma _ _ _ ca _ < "$WORK/last"; stop
    APP=$THIS_APP; URL=$THIS_URL; TPL=; start "${FLAGS[@]}"; read -r mb _ _ _ cb _ < "$WORK/last"; stop
    echo "$ma $ca $mb $cb" >> "$WORK/pairs"
  done
  awk '{n++; d=$3-$1; c=$4-$2; sd+=d; sdd+=d*d; sc+=c; scc+=c*c; a[n]=$1; b[n]=$3}
    END {md=sd/n; mc=sc/n; printf "start to live, A then B, per pair (ms): "; for (i=1;i<=n;i++) printf "%d/%d ", a[i], b[i];
      printf "\nB - A: start to live %+.0f ms ± %.0f (standard error, %d pairs), CPU to live %+.0f ms ± %.0f\n", md,
      sqrt((sdd/n-md*md)*n/(n-1)/n), n, mc, sqrt((scc/n-mc*mc)*n/(n-1)/n)}' "$WORK/pairs"
fi
start "${FLAGS[@]}"

echo "== history: $ROWS analyses =="
until grep -q "migrations=done" "$WORK/service.log"; do sleep 0.2; done
psql -h 127.0.0.1 -p "$PORT" -U canary -d canary -q <<SQL
INSERT INTO analysis (id, event_id, deployment_id, namespace, service, template, canary_digest, stable_digest,
  event_json, template_json, started_at, interval_ms, measurement_count, phase, verdict, score, reason,
  verdict_json, created_at, updated_at, completed_at, published_at, commit_time)
SELECT md5(g::text), 'evt-' || g, 'dep-' || g, 'ns-' || (g % 20), 'svc-' || (g % 1000), 'http-golden-signals',
  'sha256:' || repeat('c', 64), 'sha256:' || repeat('b', 64), '{}', '{}',
  now() - (g || ' seconds')::interval, 60000, 10,
  CASE WHEN g % 7 = 0 THEN 'FAILED' ELSE 'SUCCESSFUL' END, CASE WHEN g % 7 = 0 THEN 'ABORT' ELSE 'PROMOTE' END,
  90, 'synthetic', '{"metrics":[]}', now() - (g || ' seconds')::interval,
  now() - (g || ' seconds')::interval + interval '10 minutes', now() - (g || ' seconds')::interval + interval '10 minutes',
  now() - (g || ' seconds')::interval + interval '10 minutes',
  CASE WHEN g % 2 = 0 THEN now() - (g || ' seconds')::interval - interval '1 hour' END
FROM generate_series(1, $ROWS) g;
ANALYZE analysis;
SQL
# Each analysis completes 10 minutes after it started (not all at now(): the rollback recovery scan re-reads every
# ABORT of its last hour once a minute, 10^5 of them if they all ended at once).
# HISTORY_JFR=1 records the service with JFR during the load and prints where its CPU went
[ "${HISTORY_JFR:-0}" = 1 ] && jcmd "$SVC" JFR.start name=history settings=profile >/dev/null
# concurrency may be a comma-separated list: one history-vs-health comparison per level
for c in ${CONC//,/ }; do
  echo "-- concurrency $c --"
  java -Dservice.pid="$SVC" -cp load-test/target/benchmarks.jar io.canaryjudge.load.HttpLoad \
    "http://127.0.0.1:$HTTP/api/v1/analyses?service=svc-{n}&limit=50" "http://127.0.0.1:$HTTP/q/health/live" "$c" "$SECS"
done
if [ "${HISTORY_JFR:-0}" = 1 ]; then
  jcmd "$SVC" JFR.dump name=history filename="$WORK/history.jfr" >/dev/null
  java -cp load-test/target/benchmarks.jar io.canaryjudge.load.scale.JfrTop "$WORK/history.jfr" 25
fi

# The store queries the service runs on timers (engine sweep every 10 s, rollback recovery every minute) must not
# grow with the history: their plans and times at this size
echo "== timer queries at $ROWS analyses (EXPLAIN ANALYZE) =="
for q in "SELECT id FROM analysis WHERE verdict IS NOT NULL AND published_at IS NULL ORDER BY completed_at" \
         "SELECT id, namespace, service FROM analysis WHERE phase IN ('PENDING', 'RUNNING')" \
         "SELECT a.id FROM analysis a LEFT JOIN rollback r ON r.analysis_id = a.id WHERE a.verdict = 'ABORT' AND a.completed_at >= now() - interval '1 hour' AND (r.analysis_id IS NULL OR (r.state = 'CLAIMED' AND r.claimed_at < now() - interval '5 minutes')) ORDER BY a.completed_at"; do
  printf '%s\n  %s\n' "${q:0:110}" "$(psql -h 127.0.0.1 -p "$PORT" -U canary -d canary -qAt -c "EXPLAIN ANALYZE $q" | \
    grep -E '^(Index|Seq|Bitmap|Sort|Hash|Nested|Merge)|Execution Time' | head -2 | sed 's/  */ /g' | paste -sd'|')"
done

# DORA over the default window (30 days: every synthetic analysis; every 7th an ABORT, restored by its service's next
# PROMOTE — 7 does not divide the 1,000 services, so every service has both): the REST report,
# three times, against PostgreSQL's own time for the rows it reads (same query through psql, output discarded)
echo "== DORA: GET /api/v1/dora over $ROWS judged analyses (default 30-day window) =="
SINCE=$(date -u -d '30 days ago' +%Y-%m-%dT%H:%M:%SZ)
for i in 1 2 3; do
  c0=$(awk '{print $14+$15}' /proc/$SVC/stat)
  t=$(curl -s -o "$WORK/dora.json" -w '%{http_code} %{time_total}' "http://127.0.0.1:$HTTP/api/v1/dora?since=$SINCE")
  c1=$(awk '{print $14+$15}' /proc/$SVC/stat)
  printf 'report %d: HTTP %s s, service CPU %.2f s, overall %s\n' "$i" "$t" "$(awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" 'BEGIN{print (b-a)/hz}')" \
    "$(python3 -c 'import json,sys;o=json.load(open(sys.argv[1]))["overall"];print("deployments=%d failed=%d restoredByRollForward=%d leadTime.count=%d"%(o["deployments"],o["failed"],o["restoredByRollForward"],o["leadTime"]["count"]))' "$WORK/dora.json" 2>/dev/null || head -c 300 "$WORK/dora.json")"
done
for i in 1 2 3; do
  t0=$(date +%s%N)
  psql -h 127.0.0.1 -p "$PORT" -U canary -d canary -qAt -o /dev/null -c "SELECT id, namespace, service, verdict, \
    started_at, completed_at, commit_time FROM analysis WHERE verdict IS NOT NULL AND completed_at IS NOT NULL AND \
    started_at >= '$SINCE' ORDER BY namespace, service, started_at, id"
  printf 'baseline %d: the same rows read by psql: %.3f s\n' "$i" "$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN{print (b-a)/1e9}')"
done
jcmd "$SVC" GC.heap_info | sed -n 2,3p
