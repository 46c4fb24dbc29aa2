#!/usr/bin/env bash
# The decision benchmark end to end (issue 18): hundreds of services backfilled into a real Prometheus, one event
# each on a real Kafka broker, the packaged service judging them with the shipped http-golden-signals template;
# prints verdict rates and minutes per scenario. BENCHMARKS.md, "Decisions end to end".
# Usage (repository root): bash load-test/e2e-decisions.sh [servicesPerScenario=25]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v prometheus >/dev/null && command -v promtool >/dev/null \
  || { echo "needs prometheus and promtool (apt-get install -y --no-install-recommends prometheus)" >&2; exit 1; }
./mvnw -q -B package -DskipTests -DskipAppCds
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt >/dev/null
exec java -Xmx2g -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.canaryjudge.analysis.EndToEndDecisions "$@"
