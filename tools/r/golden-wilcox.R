#!/usr/bin/env Rscript
# Golden vectors for the judge's rank-sum test: R's wilcox.test(canary, stable, conf.int = TRUE,
# correct = TRUE) on deterministic data. The Java tests compare against the JSON without needing R.
#
#   Rscript tools/r/golden-wilcox.R > src/test/resources/judge/wilcox-golden.json
#
# Data of larger cases is rounded to 7 significant digits so the file stays small; the rounded
# values are the inputs, so nothing is lost. Written without jsonlite (not installed on the build machine).
set.seed(20261126)

num <- function(v) {
  if (is.na(v)) return("null")
  if (is.infinite(v)) return(if (v > 0) "\"Infinity\"" else "\"-Infinity\"")
  sprintf("%.17g", v)
}
# Shortest of 15 or 17 significant digits that reads back as the same double.
vec <- function(v) {
  s <- sprintf("%.15g", v)
  lossy <- as.numeric(s) != v
  s[lossy] <- sprintf("%.17g", v[lossy])
  paste0("[", paste(s, collapse = ","), "]")
}

# name, canary, stable: every case is run for all alternatives and for each listed conf level / method.
cases <- list()
add <- function(name, canary, stable, methods = list(NULL), levels = c(0.9, 0.95, 0.99)) {
  big <- length(canary) + length(stable) > 200
  if (big) { canary <- signif(canary, 7); stable <- signif(stable, 7) }
  cases[[length(cases) + 1]] <<- list(name = name, canary = canary, stable = stable,
                                      methods = methods, levels = levels)
}

# Small, exact (no ties, both < 50).
add("tiny-3x3", c(1.1, 2.3, 3.7), c(0.4, 1.9, 2.8))
add("tiny-4x3-separated", c(10.5, 11.2, 12.9, 13.3), c(1.0, 2.2, 3.1))
add("small-5x8-normal", rnorm(5), rnorm(8, 0.5))
add("small-10x10-shift", rnorm(10, 1), rnorm(10))
add("small-12x25-lognormal", rlnorm(12, 0.3), rlnorm(25))
add("small-20x30-cauchy", rcauchy(20, 0.5), rcauchy(30))
add("exact-49x49-null", rnorm(49), rnorm(49))
add("exact-49x31-exp-shift", rexp(49, 0.5), rexp(31, 1))
add("exact-unbalanced-3x45", rnorm(3, 2), rnorm(45))
# Small with forced asymptotic method.
add("small-15x15-forced-asymptotic", rnorm(15, 0.3), rnorm(15), methods = list(FALSE))
# Forced exact beyond 50.
add("exact-forced-60x70", rnorm(60, 0.2), rnorm(70), methods = list(TRUE), levels = c(0.95))
# Ties: exact not possible, R uses the tie-corrected normal approximation.
add("ties-rounded-10x12", round(rnorm(10, 0.5), 1), round(rnorm(12), 1))
add("ties-counts-30x30", as.numeric(rpois(30, 3)), as.numeric(rpois(30, 2)))
add("ties-mostly-zero-errors-40x40", as.numeric(rbinom(40, 3, 0.1)), as.numeric(rbinom(40, 3, 0.02)))
add("ties-7at100-3at1-vs-10at1", c(rep(100, 7), rep(1, 3)), rep(1, 10))
add("ties-partly-tied-5x5", c(1, 2, 2, 3, 5), c(2, 2, 4, 6, 6))
# Asymptotic: at least one sample >= 50.
add("asym-50x50-null", rnorm(50), rnorm(50))
add("asym-60x40-shift", rnorm(60, 0.4), rnorm(40))
add("asym-200x150-lognormal", rlnorm(200, 0.2, 1), rlnorm(150, 0, 1))
add("asym-300x500-cauchy", rcauchy(300, 0.3), rcauchy(500))
add("asym-1000x1000-normal-null", rnorm(1000), rnorm(1000))
add("asym-800x1200-ties", round(rnorm(800, 0.1), 1), round(rnorm(1200), 1))
add("asym-1500x400-poisson", as.numeric(rpois(1500, 4)), as.numeric(rpois(400, 4.4)))
add("asym-2000x3000-lognormal-shift", rlnorm(2000, 0.05, 0.5), rlnorm(3000, 0, 0.5), levels = c(0.95))
add("asym-5000x5000-latency", 100 + rexp(5000, 1/20) + 2, 100 + rexp(5000, 1/20), levels = c(0.99))
add("asym-4000x1000-cauchy-shift", rcauchy(4000, 1), rcauchy(1000), levels = c(0.9))

alts <- c("two.sided", "greater", "less")
out <- character()
for (cs in cases) {
  res <- character()
  for (m in cs$methods) for (lvl in cs$levels) for (alt in alts) {
    r <- suppressWarnings(wilcox.test(cs$canary, cs$stable, alternative = alt, exact = m,
                                      correct = TRUE, conf.int = TRUE, conf.level = lvl))
    method <- if (grepl("exact", r$method)) "EXACT" else "ASYMPTOTIC"
    res <- c(res, sprintf(paste0("{\"alternative\":\"%s\",\"confidenceLevel\":%s,\"method\":\"%s\",",
                                 "\"resultMethod\":\"%s\",\"u\":%s,\"pValue\":%s,\"estimate\":%s,",
                                 "\"lower\":%s,\"upper\":%s,\"achievedLevel\":%s}"),
                          alt, num(lvl), if (is.null(m)) "AUTO" else if (m) "EXACT" else "ASYMPTOTIC",
                          method, num(r$statistic), num(r$p.value), num(r$estimate),
                          num(r$conf.int[1]), num(r$conf.int[2]), num(attr(r$conf.int, "conf.level"))))
  }
  out <- c(out, sprintf("{\"name\":\"%s\",\n \"canary\":%s,\n \"stable\":%s,\n \"results\":[\n  %s]}",
                        cs$name, vec(cs$canary), vec(cs$stable), paste(res, collapse = ",\n  ")))
}
cat(sprintf("{\"generator\":\"tools/r/golden-wilcox.R\",\"r\":\"%s\",\"cases\":[\n%s]}\n",
            R.version.string, paste(out, collapse = ",\n")))
