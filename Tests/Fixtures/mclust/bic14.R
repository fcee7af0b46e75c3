#!/usr/bin/env Rscript
# mclust's BIC table over its fourteen covariance models and the model Mclust()
# chooses, for `gmm select` (Tests/GaussianMixturesTests/Selection/MclustSelectionTests.swift).
#
# How to run (from the repository root):
#
#     apt-get install r-base-core r-cran-mclust r-cran-jsonlite   # Debian 12: R 4.2.2, mclust 6.0.0
#     Rscript Tests/Fixtures/mclust/bic14.R
#
# It writes Tests/Fixtures/mclust/bic14-<name>.json for Data/iris.csv and
# Data/old-faithful.csv. For each data set X, with mclust's defaults (hc start:
# "VVV" on the SVD-scaled data, no prior, emControl()):
#   best:  Mclust(X, G = 1:9)'s choice (modelName, G) — all fourteen models —
#          and mclustICL(X, G = 1:9)'s;
#   fits:  every (model, G) of Mclust(X, G = 1:9)$BIC, with the number of M-steps
#          me() takes from unmap(hclass(hc(X), G)) as mclustBIC runs it (0 for G = 1,
#          mvn()), its log-likelihood and BIC (bic_mclust, higher is better;
#          bic_ours = -bic_mclust). Cells mclust cannot fit are null.
# The partitions are those of hc.R (hc-<name>.json).

suppressPackageStartupMessages({
  library(mclust)
  library(jsonlite)
})

out_dir <- "Tests/Fixtures/mclust"
G <- 1:9
models <- mclust.options("emModelNames")
sets <- c("iris" = "Data/iris.csv", "old-faithful" = "Data/old-faithful.csv")

for (name in names(sets)) {
  X <- as.matrix(read.csv(sets[[name]]))
  n <- nrow(X); d <- ncol(X)
  fit <- Mclust(X, G = G, verbose = FALSE)
  icl <- mclustICL(X, G = G, verbose = FALSE)
  icl_best <- strsplit(names(summary(icl))[1], ",")[[1]]
  cl <- hclass(hc(X, modelName = mclust.options("hcModelName"), use = mclust.options("hcUse")), G)
  fits <- list()
  for (m in models) {
    for (g in G) {
      b <- fit$BIC[as.character(g), m]
      if (g == 1) {
        o <- mvn(modelName = m, data = X)
        iterations <- 0L
      } else {
        o <- me(data = X, modelName = m, z = unmap(cl[, as.character(g)], groups = 1:g))
        info <- unlist(attr(o, "info"))
        iterations <- if (is.null(info)) NA else as.integer(abs(if ("iterations" %in% names(info)) info[["iterations"]] else info[1]))
      }
      ok <- !is.na(b)
      if (ok) stopifnot(isTRUE(all.equal(b, bic(m, o$loglik, n, d, g), tolerance = 1e-12)))
      fits[[length(fits) + 1]] <- list(
        model = m, G = g, iterations = iterations,
        loglik = if (ok) o$loglik else NA, bic_mclust = if (ok) b else NA, bic_ours = if (ok) -b else NA)
    }
  }
  doc <- list(
    generator = "Tests/Fixtures/mclust/bic14.R",
    r_version = R.version.string, mclust_version = as.character(packageVersion("mclust")),
    data = sets[[name]], n = n, d = d,
    best_bic = list(model = fit$modelName, G = fit$G),
    best_icl = list(model = icl_best[1], G = as.integer(icl_best[2])),
    fits = fits)
  write(toJSON(doc, auto_unbox = TRUE, digits = NA, na = "null", pretty = FALSE),
        file.path(out_dir, paste0("bic14-", name, ".json")))
  cat("wrote", name, fit$modelName, fit$G, "ICL:", icl_best, "\n")
}
