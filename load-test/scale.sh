#!/usr/bin/env bash
# "10,000 in-flight analyses" (issue 8): one instance of the packaged service (-Xmx512m) against a real Prometheus
# scraping synthetic canary/stable metrics of N services, N deployment events on a real Kafka broker; prints the
# service's Prometheus query rate beside Prometheus's own maximum for the same queries, measurement lateness and heap.
# Everything runs on loopback and is stopped (by pid) at the end. See BENCHMARKS.md "10,000 in-flight analyses".
#
# Usage (repository root):  bash load-test/scale.sh
#   SCALE_N=10000                 analyses (one service each; 3 metrics x 2 cohorts = 6 queries per measurement)
#   SCALE_INTERVAL_SECONDS=30     template interval (step = interval / 2)
#   SCALE_INTERVALS=4             intervals measured after the first measurements fall due (the first two warm the JIT)
#   SCALE_PUBLISH_RATE=2500       deployment events per second: each interval's measurements fall due within 4 s, faster
#                                 than one instance takes them, so a queue forms and its rate then is the capacity
#   SCALE_SHARDS=N/1000           Prometheus scrape targets; SCALE_SCRAPE_SECONDS=15
#   SCALE_BASELINE_SECONDS=5      per concurrency level (1, 2, 4, ... SCALE_BASELINE_MAX_CONCURRENCY=64)
#   SCALE_JFR=1                   record the service with JFR and print where its CPU went
#   SCALE_JAVA_OPTS="-XX:+UseSerialGC -Xms32m"   service JVM flags besides -Xmx (deploy/base's); "" = JVM defaults (G1)
#   SCALE_BUILD=0                 use the existing target/quarkus-app and load-test/target (no rebuild)
#   SCALE_KEEP=1                  keep the run's store, Prometheus TSDB and broker data (≈ 0.7 GB) in its work dir
#   SCALE_DB=postgres             store in a PostgreSQL started here (temp dir, loopback) instead of the embedded H2
#   CANARY_ANALYSIS_WORKERS, ...  passed through to the service
# Smoke run:  SCALE_N=500 SCALE_INTERVALS=2 bash load-test/scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v prometheus >/dev/null || { echo "needs the prometheus binary (apt-get install -y --no-install-recommends prometheus)" >&2; exit 1; }
if [ "${SCALE_BUILD:-1}" != 0 ]; then
  ./mvnw -B -o -q package -DskipTests
  (cd load-test && ../mvnw -B -o -q package -DskipTests)
fi
if [ ! -f load-test/target/scale.classpath ] || [ load-test/pom.xml -nt load-test/target/scale.classpath ]; then
  (cd load-test && ../mvnw -B -o -q dependency:build-classpath -Dmdep.outputFile=target/scale.classpath)
fi
if [ "${SCALE_DB:-h2}" = postgres ]; then
  # the production store: a PostgreSQL on loopback (fsync off: a benchmark, not a durability test), stopped at exit
  BIN=$(ls -d /usr/lib/postgresql/*/bin | sort | tail -1)
  PGW=$(mktemp -d); chmod 777 "$PGW"
  AS=(); [ "$(id -u)" = 0 ] && AS=(runuser -u postgres --)
  PGPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
  trap '"${AS[@]}" "$BIN/pg_ctl" -D "$PGW/pg" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGW"' EXIT
  "${AS[@]}" "$BIN/initdb" -D "$PGW/pg" -U canary --auth=trust -E UTF8 --no-sync >/dev/null
  "${AS[@]}" "$BIN/pg_ctl" -D "$PGW/pg" -o "-p $PGPORT -k $PGW -c listen_addresses=127.0.0.1 -c fsync=off" \
    -l "$PGW/pg.log" -w start >/dev/null
  psql -h 127.0.0.1 -p "$PGPORT" -U canary -d postgres -qc "CREATE DATABASE canary"
  export CANARY_DB_URL="jdbc:postgresql://127.0.0.1:$PGPORT/canary" CANARY_DB_USER=canary
  echo "store: PostgreSQL $("$BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PGPORT"
  java -Xmx1g -cp "load-test/target/classes:$(cat load-test/target/scale.classpath)" \
    -DSCALE_ROOT="$PWD" io.canaryjudge.load.scale.ScaleRun
  # PostgreSQL's CPU is not in the report's per-process figures: the postmaster's own and its ended children's
  # (the service has stopped, so its backends have exited and are counted), over the whole run
  sleep 2
  awk -v hz="$(getconf CLK_TCK)" '{printf "PostgreSQL CPU over the whole run: %.1f s\n", ($14 + $15 + $16 + $17) / hz}' \
    "/proc/$(head -1 "$PGW/pg/postmaster.pid")/stat"
else
  exec java -Xmx1g -cp "load-test/target/classes:$(cat load-test/target/scale.classpath)" \
    -DSCALE_ROOT="$PWD" io.canaryjudge.load.scale.ScaleRun
fi
