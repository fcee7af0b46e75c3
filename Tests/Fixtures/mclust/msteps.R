#!/usr/bin/env Rscript
# Reference M-steps of mclust's 14 covariance models, for MclustMStepTests.
#
# How to run (from the repository root):
#
#     apt-get install r-base-core r-cran-mclust r-cran-jsonlite   # Debian 12: R 4.2.2, mclust 6.0.0
#     Rscript Tests/Fixtures/mclust/msteps.R
#
# For each data set X (numeric CSV with a header row) and each of two
# responsibility matrices z:
#   "random": a seeded random soft z (uniform entries, rows scaled to sum to 1);
#   "fitted": the z of Mclust(X, G, modelNames = "VVV"), a converged fit;
# (as written to the JSON, 15 significant digits, and read back) it runs, for all 14 models m, with mclust's defaults (emControl(): inner
# tolerance sqrt(.Machine$double.eps), no inner iteration limit, no prior)
#     ms <- mstep(X, m, z)
#     estep(X, m, ms$parameters)$loglik
# and writes Tests/Fixtures/mclust/msteps-<dataset>.json with z, and per model
# the covariances (sigma), volumes (scale), shapes, orientations, the inner
# iteration count and error (attr(ms, "info")) and the log-likelihood.
# To check how the inner loops start from one EM iteration to the next (mclust
# carries VEI's, VEV's, EVE's and VVE's inner state over, and restarts VEE's),
# it also runs, from the same random z, three EM iterations
#     me(X, m, z, control = emControl(itmax = c(3, .Machine$integer.max)))
# and writes Tests/Fixtures/mclust/me3-<dataset>.json: per model the weights,
# means, covariances, log-likelihood and the last outer iteration's inner
# iteration count (all 14 models on iris and old-faithful, the 5 iterative ones
# on wdbc-mean, to keep the file small; 13 significant digits).
# It also writes Tests/Fixtures/mclust/parameter-counts.json: nMclustParams
# for every model at several (d, G).
#
# Layout in the JSON (row-major, ready for the Swift side):
#   z                n rows of G numbers
#   sigma            G*d*d numbers, component-major, each d x d block row-major
#   scale            G numbers (an E-volume repeated)
#   shape            G*d numbers (an E-shape repeated); null for EEE and VVV
#   orientation      G*d*d numbers, each block row-major with column j the j-th
#                    axis (an E-orientation repeated); null for ??I, EEE, VVV
# mclust returns no decomposition for EEE and VVV.
#
# Data sets: Data/iris.csv and Data/old-faithful.csv (see Data/README.md), and
# Tests/Fixtures/data/wdbc-mean.csv, written here (write.csv, 15 significant
# digits, checked to read back exactly): the ten "_mean" columns of mclust's
# `wdbc` (Wisconsin diagnostic breast cancer, 569 rows; Street, Wolberg &
# Mangasarian 1993, UCI repository), in the package's column order.

suppressPackageStartupMessages({
  library(mclust)
  library(jsonlite)
})

GENERATOR <- "Tests/Fixtures/mclust/msteps.R"
OUT_DIR <- "Tests/Fixtures/mclust"
MODELS <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI",
            "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")

# wdbc's ten mean features, written once (shortest exact decimal form).
data(wdbc, package = "mclust")
wdbc_mean <- wdbc[, grep("_mean$", names(wdbc))]
wdbc_file <- "Tests/Fixtures/data/wdbc-mean.csv"
write.csv(wdbc_mean, wdbc_file, row.names = FALSE, quote = FALSE)
stopifnot(isTRUE(all.equal(as.matrix(read.csv(wdbc_file)), as.matrix(wdbc_mean),
                           tolerance = 0, check.attributes = FALSE)))

DATASETS <- list(
  list(name = "iris", file = "Data/iris.csv", G = 3, seed = 11),
  list(name = "old-faithful", file = "Data/old-faithful.csv", G = 3, seed = 12),
  list(name = "wdbc-mean", file = wdbc_file, G = 3, seed = 13)
)

row_major_blocks <- function(a, d, G) {
  # a: d x d matrix (shared) or d x d x G array -> G*d*d, each block row-major
  if (length(dim(a)) == 2) a <- array(a, c(d, d, G))
  as.vector(aperm(a, c(2, 1, 3)))
}

per_component <- function(v, d, G) {
  if (is.null(v)) return(NULL)
  if (is.matrix(v)) return(as.vector(v))          # d x G -> component-major
  if (length(v) == d) return(rep(v, G))           # one shape for all components
  if (length(v) == 1) return(rep(v, G))           # one volume for all components
  as.vector(v)
}

one_model <- function(X, m, z) {
  d <- ncol(X); G <- ncol(z)
  ms <- mstep(X, m, z)
  v <- ms$parameters$variance
  info <- attr(ms, "info")
  list(
    sigma = row_major_blocks(v$sigma, d, G),
    scale = if (is.null(v$scale)) NULL else per_component(v$scale, d, G),
    shape = if (is.null(v$shape)) NULL else per_component(v$shape, d, G),
    orientation = if (is.null(v$orientation)) NULL else row_major_blocks(v$orientation, d, G),
    inner_iterations = if (is.null(info)) 0L else as.integer(abs(info[[1]])),
    inner_error = if (is.null(info)) 0 else unname(info[[2]]),
    loglik = estep(X, m, ms$parameters)$loglik
  )
}

versions <- list(
  R = paste(R.version$major, R.version$minor, sep = "."),
  mclust = as.character(packageVersion("mclust")),
  jsonlite = as.character(packageVersion("jsonlite"))
)

for (ds in DATASETS) {
  X <- as.matrix(read.csv(ds$file))
  n <- nrow(X); G <- ds$G
  set.seed(ds$seed)
  u <- matrix(runif(n * G), n, G)
  z_random <- u / rowSums(u)
  z_fitted <- Mclust(X, G = G, modelNames = "VVV", verbose = FALSE)$z
  cases <- list()
  for (kind in c("random", "fitted")) {
    z <- if (kind == "random") z_random else z_fitted
    # The JSON holds 15 significant digits: compute from exactly what it holds.
    z <- fromJSON(toJSON(unname(z), digits = NA))
    models <- list()
    for (m in MODELS) models[[m]] <- one_model(X, m, z)
    cases[[length(cases) + 1]] <- list(z_kind = kind, z = unname(z), models = models)
  }
  out <- list(generator = GENERATOR, versions = versions, dataset = ds$name,
              data_file = ds$file, n = n, d = ncol(X), G = G, cases = cases)
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, null = "null"),
             file.path(OUT_DIR, paste0("msteps-", ds$name, ".json")))

  z <- fromJSON(toJSON(unname(z_random), digits = NA))
  me_models <- if (ncol(X) >= 10) c("VEI", "VEE", "EVE", "VVE", "VEV") else MODELS
  fits <- list()
  for (m in me_models) {
    fit <- me(X, m, z, control = emControl(itmax = c(3, .Machine$integer.max)))
    inner <- attr(attr(fit, "info"), "inner")
    fits[[m]] <- list(
      outer_iterations = as.integer(abs(attr(fit, "info")[[1]])),
      inner_iterations = if (is.null(inner)) 0L else as.integer(abs(inner[[1]])),
      pro = fit$parameters$pro,
      mean = as.vector(fit$parameters$mean),        # d x G -> component-major
      sigma = row_major_blocks(fit$parameters$variance$sigma, ncol(X), G),
      loglik = fit$loglik)
  }
  writeLines(toJSON(list(generator = GENERATOR, versions = versions, dataset = ds$name,
                         z_from = paste0("msteps-", ds$name, ".json, case \"random\""),
                         em_iterations = 3L, models = fits),
                    auto_unbox = TRUE, digits = I(13)),
             file.path(OUT_DIR, paste0("me3-", ds$name, ".json")))
}

counts <- list()
for (m in MODELS) for (d in c(1, 2, 3, 5, 10)) for (G in c(1, 2, 3, 7)) {
  if (d == 1) next
  counts[[length(counts) + 1]] <- list(model = m, d = d, G = G, count = nMclustParams(m, d, G))
}
writeLines(toJSON(list(generator = GENERATOR, versions = versions,
                       note = "nMclustParams(model, d, G): weights, means and covariance parameters",
                       counts = counts), auto_unbox = TRUE, digits = NA),
           file.path(OUT_DIR, "parameter-counts.json"))
