#!/usr/bin/env bash
# Issue 8: last measurement -> verdict on Kafka -> rollback applied, p50/p99 against a baseline measured in the same
# run (Kafka produce/consume round trip + the API calls of a Deployment rollback). Real broker, real Prometheus,
# the packaged service as its own process, the Fabric8 mock API server (CRUD) as the cluster.
# Usage (from the repository root): bash load-test/rollback-latency.sh [analyses=200] [events-per-second=10]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -B -q package -DskipTests
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/load.classpath >/dev/null
exec java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/test-classes:target/classes:$(cat target/load.classpath)" io.canaryjudge.rollback.RollbackLatency "$@"
