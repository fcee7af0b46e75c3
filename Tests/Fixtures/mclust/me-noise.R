#!/usr/bin/env Rscript
# Reference EM runs of R's mclust with its uniform noise component, from a
# given start: the fixtures of Tests/GaussianMixturesTests/EM/NoiseEMTests.swift.
#
# How to run (from the repository root):
#
#     apt-get install r-base-core r-cran-mclust r-cran-jsonlite   # Debian 12: R 4.2.2, mclust 6.0.0, jsonlite 1.8.4
#     Rscript Tests/Fixtures/mclust/me-noise.R
#
# It writes Tests/Fixtures/mclust/faithful-noise.csv (Old Faithful plus 30 rows
# drawn uniformly over its bounding box, set.seed(16)) and
# Tests/Fixtures/mclust/me-noise-<dataset>.json for Data/iris.csv,
# Data/old-faithful.csv and that file.
#
# For each data set X (n rows, d columns) with G = 3 Gaussian components:
#   V  = prod(apply(X, 2, function(x) diff(range(x)))): the bounding box's volume
#        (given to mclust as Vinv = 1/V, so its hypvol default is not used);
#   q  = 0.6 for the 10 % of rows farthest (Euclidean) from the column means, 0.05
#        for the others: the start's noise column;
#   z0 = cbind((1 - q) * (0.85 * unmap(hclass(hc(X), G)) + 0.05), q): mclust's
#        hierarchical start softened, the noise last; rows sum to 1 (written in full);
#   for each model m of the fourteen:
#        me(X, m, z0, Vinv = 1/V, control = emControl(tol = c(0, sqrt(.Machine$double.eps)),
#                                                      itmax = c(25, .Machine$integer.max)))
#   i.e. 25 M-steps from z0 (the first an M-step), no prior. Recorded: weights
#   (pro without its last entry), noise_weight (pro's last entry), means (K×d),
#   covariances (K×d×d), loglik (of the last M-step's parameters),
#   parameters = nMclustParams(m, d, G, noise = TRUE) and
#   bic = bic(m, loglik, n, d, G, noise = TRUE) (2 logL − p log n).
# Also hypvol = hypvol(X): mclust's default V (the smaller of the bounding box's
# volume and that of the box around the principal-component scores).
# Models mclust cannot fit from that start (loglik NA) are written as null.

suppressPackageStartupMessages({
  library(mclust)
  library(jsonlite)
})

G <- 3
ITERATIONS <- 25
MODELS <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")

faithful <- as.matrix(read.csv("Data/old-faithful.csv"))
set.seed(16)
extra <- sapply(seq_len(ncol(faithful)), function(j) {
  r <- range(faithful[, j])
  round(runif(30, r[1], r[2]), 3)
})
colnames(extra) <- colnames(faithful)
write.csv(rbind(faithful, extra), "Tests/Fixtures/mclust/faithful-noise.csv", row.names = FALSE, quote = FALSE)

DATASETS <- c("iris" = "Data/iris.csv", "old-faithful" = "Data/old-faithful.csv",
              "faithful-noise" = "Tests/Fixtures/mclust/faithful-noise.csv")

matrices <- function(a) lapply(seq_len(dim(a)[3]), function(k) unname(a[, , k]))

for (name in names(DATASETS)) {
  path <- DATASETS[[name]]
  X <- as.matrix(read.csv(path))
  n <- nrow(X)
  d <- ncol(X)
  V <- prod(apply(X, 2, function(x) diff(range(x))))
  far <- sqrt(rowSums(sweep(X, 2, colMeans(X))^2))
  q <- ifelse(rank(-far, ties.method = "first") <= round(0.1 * n), 0.6, 0.05)
  z0 <- cbind((1 - q) * (0.85 * unmap(hclass(hc(X), G)) + 0.05), q)
  control <- emControl(tol = c(0, sqrt(.Machine$double.eps)), itmax = c(ITERATIONS, .Machine$integer.max))
  fits <- list()
  for (m in MODELS) {
    fit <- me(X, m, z0, control = control, Vinv = 1 / V)
    if (is.na(fit$loglik)) {
      fits[[m]] <- NULL
      next
    }
    p <- fit$parameters
    sigma <- p$variance$sigma
    if (is.null(dim(sigma)) || length(dim(sigma)) == 2) sigma <- array(sigma, c(d, d, G))
    fits[[m]] <- list(
      weights = unname(p$pro[1:G]), noise_weight = unname(p$pro[G + 1]), means = unname(t(p$mean)),
      covariances = matrices(sigma), loglik = fit$loglik,
      parameters = nMclustParams(m, d, G, noise = TRUE), bic = bic(m, fit$loglik, n, d, G, noise = TRUE))
  }
  out <- list(
    generator = "Tests/Fixtures/mclust/me-noise.R",
    versions = list(R = R.version.string, mclust = as.character(packageVersion("mclust")),
                    jsonlite = as.character(packageVersion("jsonlite"))),
    data = path, components = G, iterations = ITERATIONS, volume = V, hypvol = hypvol(X),
    start = unname(z0), models = fits)
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", pretty = FALSE),
             file.path("Tests/Fixtures/mclust", paste0("me-noise-", name, ".json")))
}
