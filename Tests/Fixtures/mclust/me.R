#!/usr/bin/env Rscript
# Reference EM runs of R's mclust for its fourteen covariance models, from a
# given start: the fixtures of Tests/GaussianMixturesTests/Covariance/MclustEMTests.swift.
#
# How to run (from the repository root):
#
#     apt-get install r-base-core r-cran-mclust r-cran-jsonlite   # Debian 12: R 4.2.2, mclust 6.0.0, jsonlite 1.8.4
#     Rscript Tests/Fixtures/mclust/me.R
#
# It writes Tests/Fixtures/mclust/me-<dataset>.json for Data/iris.csv,
# Data/old-faithful.csv and Tests/Fixtures/data/wdbc-mean.csv (d = 10).
#
# For each data set X with G = 3 components:
#   z0 = 0.85 * unmap(hclass(hc(X), 3)) + 0.05: mclust's default hierarchical start
#        (hc, "VVV" on the SVD-scaled data), softened so every row has three
#        non-zero responsibilities; rows sum to 1 (written in full to the file);
#   for each model m of the fourteen:
#        me(X, m, z0, control = emControl(tol = c(0, sqrt(.Machine$double.eps)),
#                                            itmax = c(25, .Machine$integer.max)))
#   i.e. 25 M-steps from z0 (the first an M-step), no prior, mclust's inner
#   tolerance and no inner limit for the iterative M-steps; tol[1] = 0 so the
#   outer loop never stops early. Recorded: weights (pro), means (K×d),
#   covariances (K×d×d), the decomposition (scale, shape, orientation where
#   mclust's parameters hold one), and loglik, the log-likelihood of the last
#   M-step's parameters; parameters = nMclustParams(m, d, G) and
#   bic = bic(m, loglik, n, d, G) (mclust's sign: 2 logL − p log n, higher is better).
# Models mclust cannot fit from that start (loglik NA) are written as null.

suppressPackageStartupMessages({
  library(mclust)
  library(jsonlite)
})

DATASETS <- c("iris" = "Data/iris.csv", "old-faithful" = "Data/old-faithful.csv",
              "wdbc-mean" = "Tests/Fixtures/data/wdbc-mean.csv")
G <- 3
ITERATIONS <- 25
MODELS <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")

matrices <- function(a) lapply(seq_len(dim(a)[3]), function(k) unname(a[, , k]))

for (name in names(DATASETS)) {
  path <- DATASETS[[name]]
  X <- as.matrix(read.csv(path))
  d <- ncol(X)
  z0 <- 0.85 * unmap(hclass(hc(X), G)) + 0.05
  control <- emControl(tol = c(0, sqrt(.Machine$double.eps)), itmax = c(ITERATIONS, .Machine$integer.max))
  fits <- list()
  for (m in MODELS) {
    fit <- me(X, m, z0, control = control)
    if (is.na(fit$loglik)) {
      fits[[m]] <- NULL
      next
    }
    p <- fit$parameters
    sigma <- p$variance$sigma
    if (is.null(dim(sigma)) || length(dim(sigma)) == 2) sigma <- array(sigma, c(d, d, G))
    entry <- list(
      weights = unname(p$pro), means = unname(t(p$mean)), covariances = matrices(sigma),
      loglik = fit$loglik, iterations = abs(as.numeric(unlist(attr(fit, "info")))[1]),
      parameters = nMclustParams(m, d, G), bic = bic(m, fit$loglik, nrow(X), d, G))
    # The decomposition, where mclust's parameters hold it (not for VVV and EEE).
    if (!is.null(p$variance$scale)) entry$volumes <- unname(rep_len(p$variance$scale, G))
    if (!is.null(p$variance$shape)) {
      shape <- p$variance$shape
      entry$shapes <- unname(t(if (is.matrix(shape)) shape else matrix(shape, d, G)))
    }
    orientation <- p$variance$orientation
    if (!is.null(orientation)) {
      if (length(dim(orientation)) == 2) orientation <- array(orientation, c(d, d, G))
      entry$orientations <- matrices(orientation)
    }
    fits[[m]] <- entry
  }
  out <- list(
    generator = "Tests/Fixtures/mclust/me.R",
    versions = list(R = R.version.string, mclust = as.character(packageVersion("mclust")),
                    jsonlite = as.character(packageVersion("jsonlite"))),
    data = path, components = G, iterations = ITERATIONS,
    start = unname(z0), models = fits)
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", pretty = FALSE),
             file.path("Tests/Fixtures/mclust", paste0("me-", name, ".json")))
}
