#!/usr/bin/env bash
# End-to-end demo on real parts: Kafka broker, Prometheus with a backfilled synthetic workload, the packaged
# service, two deployment events, and the verdicts printed. Pass --keep-running to keep everything up.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Prometheus (Debian package)..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  else
    echo "The demo needs Prometheus and promtool. Install them first, e.g.:" >&2
    echo "  sudo apt-get install -y --no-install-recommends prometheus" >&2
    exit 1
  fi
fi

echo "Building the service (first run downloads dependencies, ~2 minutes)..."
./mvnw -B -q package -DskipTests
./mvnw -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/demo.classpath >/dev/null
exec java -Xmx768m -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Djava.util.logging.manager=org.jboss.logmanager.LogManager \
  -cp "target/test-classes:target/classes:$(cat target/demo.classpath)" io.canaryjudge.demo.Demo "$@"
