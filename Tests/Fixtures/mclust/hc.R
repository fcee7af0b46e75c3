#!/usr/bin/env Rscript
# Reference partitions and BIC values of mclust's hierarchical start, for
# `--init hc` (Sources/GaussianMixtures/Initialization/AgglomerationTree.swift).
#
# How to run (from the repository root):
#
#     apt-get install r-base-core r-cran-mclust r-cran-jsonlite   # Debian 12: R 4.2.2, mclust 6.0.0
#     Rscript Tests/Fixtures/mclust/hc.R
#
# It writes Tests/Fixtures/mclust/hc-<name>.json for Data/iris.csv,
# Data/old-faithful.csv and mclust's own `wdbc` data (569 rows, the 30
# features, written to Tests/Fixtures/mclust/wdbc-features.csv so the Swift
# tests need no R). For each data set X (all ≤ 2000 rows, so no subset):
#
#   partitions: hclass(hc(X, modelName = "VVV", use = "SVD"), G) for G = 1..9,
#               exactly what Mclust() cuts (mclust.options("hcModelName", "hcUse")).
#   bic:        Mclust(X, G = 1:9, modelNames = c("VVV","VVI","VII","EEE"))$BIC,
#               mclust's defaults otherwise (no prior, emControl() tolerance 1e-5).
#   fits:       for every (model, G >= 2), me(X, model, z = unmap(partition)) as
#               mclustBIC runs it: its log-likelihood, its number of iterations
#               (M-steps) and its BIC; G = 1 is mvn() (no iterations); and
#               loglik_converged, the same me() run to a relative change of 1e-11
#               (emControl(tol = c(1e-11, sqrt(.Machine$double.eps)))), so that a
#               fit run to convergence can be compared where both reach one point.
#
# With one feature mclustBIC does not agglomerate: it cuts at quantiles,
# qclass(x, G). hc-quantiles.json holds qclass(x, G), G = 1..9, for each column
# of Data/old-faithful.csv and Data/iris.csv.
#
# Our names: full = "VVV", diag = "VVI", spherical = "VII", tied = "EEE".
# mclust's BIC is 2 logL - p ln n (higher is better); ours is its negative.

suppressPackageStartupMessages({
  library(mclust)
  library(jsonlite)
})

out_dir <- "Tests/Fixtures/mclust"
models <- c("VVV", "VVI", "VII", "EEE")
G <- 1:9

write.csv(wdbc[, 3:32], file.path(out_dir, "wdbc-features.csv"), row.names = FALSE, quote = FALSE)

sets <- list(
  list(name = "iris", path = "Data/iris.csv"),
  list(name = "old-faithful", path = "Data/old-faithful.csv"),
  list(name = "wdbc", path = file.path(out_dir, "wdbc-features.csv"))
)

for (set in sets) {
  X <- as.matrix(read.csv(set$path))
  n <- nrow(X); d <- ncol(X)
  stopifnot(d > 1, n <= mclust.options("subset"))
  tree <- hc(X, modelName = mclust.options("hcModelName"), use = mclust.options("hcUse"))
  cl <- hclass(tree, G)
  partitions <- lapply(G, function(g) as.integer(cl[, as.character(g)]))
  names(partitions) <- as.character(G)

  fit <- Mclust(X, G = G, modelNames = models, verbose = FALSE)
  bic <- fit$BIC
  fits <- list()
  for (m in models) {
    for (g in G) {
      if (g == 1) {
        o <- mvn(modelName = m, data = X)
        iterations <- 0L
      } else {
        z <- unmap(cl[, as.character(g)], groups = 1:g)
        o <- me(data = X, modelName = m, z = z)
        iterations <- as.integer(attr(o, "info")[["iterations"]])
        tight <- me(data = X, modelName = m, z = z, control = emControl(tol = c(1e-11, sqrt(.Machine$double.eps))))
      }
      if (g == 1) tight <- o
      b <- bic[as.character(g), m]
      ll <- o$loglik
      fits[[length(fits) + 1]] <- list(
        model = m, G = g, loglik = if (is.null(ll) || is.na(ll)) NA else ll,
        iterations = iterations,
        loglik_converged = if (is.null(tight$loglik) || is.na(tight$loglik)) NA else tight$loglik,
        bic_mclust = if (is.na(b)) NA else b,
        bic_ours = if (is.na(b)) NA else -b)
      # The table Mclust() made must be the one me() gives from the same partition.
      if (!is.na(b)) stopifnot(isTRUE(all.equal(b, bic(m, ll, n, d, g), tolerance = 1e-12)))
    }
  }

  doc <- list(
    generator = "Tests/Fixtures/mclust/hc.R",
    r_version = R.version.string,
    mclust_version = as.character(packageVersion("mclust")),
    data = set$path, n = n, d = d,
    hc_call = "hc(X, modelName = \"VVV\", use = \"SVD\"); hclass(tree, 1:9)",
    partitions = partitions,
    fits = fits
  )
  write(toJSON(doc, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE),
        file.path(out_dir, paste0("hc-", set$name, ".json")))
  cat("wrote", set$name, "\n")
}

quantiles <- list()
for (path in c("Data/old-faithful.csv", "Data/iris.csv")) {
  X <- read.csv(path)
  for (column in names(X)) {
    classes <- lapply(G, function(g) as.integer(mclust:::qclass(X[[column]], g)))
    names(classes) <- as.character(G)
    quantiles[[length(quantiles) + 1]] <- list(data = path, column = column, partitions = classes)
  }
}
write(toJSON(list(generator = "Tests/Fixtures/mclust/hc.R", mclust_version = as.character(packageVersion("mclust")),
                  call = "mclust:::qclass(x, G)", sets = quantiles),
             auto_unbox = TRUE, digits = NA, pretty = FALSE),
      file.path(out_dir, "hc-quantiles.json"))
cat("wrote quantiles\n")
