#!/usr/bin/env Rscript
# Times R's wilcox.test(conf.int = TRUE) on the same data shapes as RankSumBenchmark:
# canary = 100 + Exp(mean 20) + 2, stable = 100 + Exp(mean 20), n = m, optionally rounded (ties).
#   Rscript load-test/r/bench-wilcox.R [repetitions]
args <- commandArgs(trailingOnly = TRUE)
reps <- if (length(args) > 0) as.integer(args[1]) else 3
set.seed(42)
for (n in c(1e4, 1e5)) for (ties in c(FALSE, TRUE)) {
  canary <- 102 + rexp(n, 1/20)
  stable <- 100 + rexp(n, 1/20)
  if (ties) { canary <- round(canary); stable <- round(stable) }
  invisible(suppressWarnings(wilcox.test(canary, stable, conf.int = TRUE)))  # warm-up
  t <- system.time(for (i in seq_len(reps)) suppressWarnings(wilcox.test(canary, stable, conf.int = TRUE)))
  cat(sprintf("R wilcox.test conf.int  n=%-6d ties=%-5s %10.1f ms/op\n", n, ties, 1000 * t[["elapsed"]] / reps))
}
