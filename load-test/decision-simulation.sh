#!/usr/bin/env bash
# Whole analyses simulated through the real decision code with the shipped http-golden-signals template
# (io.canaryjudge.analysis.DecisionSimulation, test scope): verdict rates with their Monte Carlo errors and the
# minutes to ABORT / PROMOTE, next to the rule before margins on the same data. BENCHMARKS.md, "Decisions".
# Usage: bash load-test/decision-simulation.sh [healthyReps=400 regressionReps=200 threads=2]
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -B test-compile -DskipAppCds
./mvnw -q -B dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt >/dev/null
exec java -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  io.canaryjudge.analysis.DecisionSimulation "$@"
