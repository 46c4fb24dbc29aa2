#!/usr/bin/env bash
# Records the class-data archive target/quarkus-app/app-cds.jsa (AppCDS) from one full start of the packaged jar.
# Run by 'package' (pom.xml, maven-antrun-plugin, after quarkus:build); skip with -DskipAppCds.
#
# It replaces the archive of Quarkus' own step (quarkus.package.jar.appcds, kept on for container images, which take
# that one). Why: Quarkus' step records only the classes of static initialisation (it cannot
# start the application at build time), so the Kafka clients, Flyway, the JDBC driver, the template parser, the
# JSON schema validator and Jackson's runtime classes (≈ 7,000 classes, 60 % of a start) were still read, parsed
# and verified from the jars on every start. Here the jar starts for real — embedded H2 in a temporary directory,
# Kafka deliberately unreachable, the repository's templates — answers its health, metrics and OpenAPI endpoints,
# and is stopped; the JVM writes every class it loaded into the archive on exit (-XX:ArchiveClassesAtExit).
# The archive belongs to this JDK build and this classpath: run the jar from target/quarkus-app as
# 'java -XX:SharedArchiveFile=app-cds.jsa ... -jar quarkus-run.jar' (README, "Run the packaged jar"). Another JDK
# ignores it and starts normally.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
APP=${1:-$ROOT/target/quarkus-app}
cd "$APP"
[ -f quarkus-run.jar ] || { echo "appcds: $APP/quarkus-run.jar missing" >&2; exit 1; }
WORK=$(mktemp -d)
LOG=$WORK/service.log
trap 'rm -rf "$WORK"' EXIT
rm -f app-cds.jsa
# port 0: the service picks a free port and logs it
CANARY_AUTH_MODE=open KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:1 PORT=0 CANARY_TEMPLATES_DIR="$ROOT/analysis-templates" \
  CANARY_DB_URL="jdbc:h2:file:$WORK/db;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE" \
  java -XX:ArchiveClassesAtExit=app-cds.jsa -Xlog:cds=off -Xlog:cds+dynamic=off -XX:+UseSerialGC -Xms32m -Xmx512m \
  -jar quarkus-run.jar > "$LOG" 2>&1 &
PID=$!
URL=
for _ in $(seq 600); do
  URL=$(grep -o 'Listening on: http://[0-9.:]*' "$LOG" | head -1 | sed 's/Listening on: //; s/0\.0\.0\.0/127.0.0.1/') || true
  [ -n "$URL" ] && break
  kill -0 "$PID" 2>/dev/null || { cat "$LOG" >&2; echo "appcds: the service exited during start-up" >&2; exit 1; }
  sleep 0.1
done
[ -n "$URL" ] || { kill "$PID"; cat "$LOG" >&2; echo "appcds: no start within 60 s" >&2; exit 1; }
# the first requests load the request path's classes too
for _ in $(seq 100); do grep -q "migrations=done" "$LOG" && break; sleep 0.1; done
for path in /q/health/live /q/health/ready /q/metrics /q/openapi /api/v1/analyses?limit=1; do
  curl -s -o /dev/null "$URL$path" || true
done
kill "$PID"
wait "$PID" || true
[ -s app-cds.jsa ] || { tail -50 "$LOG" >&2; echo "appcds: no archive written" >&2; exit 1; }
echo "appcds: $(du -h app-cds.jsa | cut -f1) archive written to $APP/app-cds.jsa"
