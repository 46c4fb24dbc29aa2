#!/usr/bin/env bash
# "10,000 in-flight analyses" (issue 8): one instance of the packaged service (-Xmx512m) against a real Prometheus
# scraping synthetic canary/stable metrics of N services, N deployment events on a real Kafka broker; prints the
# service's Prometheus query rate beside Prometheus's own maximum for the same queries, measurement lateness and heap.
# Everything runs on loopback and is stopped (by pid) at the end. See BENCHMARKS.md "10,000 in-flight analyses".
#
# Usage (repository root):  bash load-test/scale.sh
#   SCALE_N=10000                 analyses (one service each; 3 metrics x 2 cohorts = 6 queries per measurement)
#   SCALE_INTERVAL_SECONDS=30     template interval (step = interval / 2)
#   SCALE_INTERVALS=3             intervals measured after the first measurements fall due
#   SCALE_PUBLISH_RATE=1000       deployment events per second
#   SCALE_SHARDS=N/1000           Prometheus scrape targets; SCALE_SCRAPE_SECONDS=15
#   SCALE_BASELINE_SECONDS=5      per concurrency level (1, 2, 4, ... SCALE_BASELINE_MAX_CONCURRENCY=64)
#   SCALE_JFR=1                   record the service with JFR and print where its CPU went
#   SCALE_JAVA_OPTS="-XX:+UseSerialGC -Xms32m"   service JVM flags besides -Xmx (deploy/base's); "" = JVM defaults (G1)
#   SCALE_BUILD=0                 use the existing target/quarkus-app and load-test/target (no rebuild)
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
exec java -Xmx1g -cp "load-test/target/classes:$(cat load-test/target/scale.classpath)" \
  -DSCALE_ROOT="$PWD" io.canaryjudge.load.scale.ScaleRun
