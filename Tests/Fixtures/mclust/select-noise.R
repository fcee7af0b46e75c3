#!/usr/bin/env Rscript
# mclust's model-based clustering with a noise component, started as Mclust()
# starts it: the fixture of Tests/GaussianMixturesTests/Selection/NoiseSelectionTests.swift.
#
# How to run (from the repository root, after me-noise.R, which writes the data):
#
#     apt-get install r-base-core r-cran-mclust r-cran-jsonlite   # Debian 12: R 4.2.2, mclust 6.0.0
#     Rscript Tests/Fixtures/mclust/select-noise.R
#
# Data: Tests/Fixtures/mclust/faithful-noise.csv (Old Faithful, 272 rows, then 30
# uniform rows). The starting noise is those 30 rows; V is the bounding box's volume.
#   Mclust(X, G = 2:4, modelNames = MODELS, initialization = list(noise = rows 273–302),
#          Vinv = 1/V, control = emControl(tol = c(0, sqrt(.Machine$double.eps)),
#                                           itmax = c(25, .Machine$integer.max)))
# i.e. hc ("VVV", SVD-scaled) on the 272 other rows, cut at G, z one-hot there and 1
# in the noise column for the 30 rows, then 25 M-steps of me() with Vinv. Recorded per
# (model, G): loglik and bic (mclust's sign, 2 logL − p log n, p = nMclustParams(noise = TRUE)),
# null where mclust could not fit; and the choice, Mclust's best (model, G).

suppressPackageStartupMessages({
  library(mclust)
  library(jsonlite)
})

path <- "Tests/Fixtures/mclust/faithful-noise.csv"
X <- as.matrix(read.csv(path))
n <- nrow(X)
d <- ncol(X)
V <- prod(apply(X, 2, function(x) diff(range(x))))
noise <- c(rep(FALSE, 272), rep(TRUE, n - 272))
G <- 2:4
MODELS <- c("EII", "VII", "EEI", "VVI", "EEE", "VEE", "EEV", "VEV", "VVV")
control <- emControl(tol = c(0, sqrt(.Machine$double.eps)), itmax = c(25, .Machine$integer.max))
fit <- Mclust(X, G = G, modelNames = MODELS, initialization = list(noise = noise), Vinv = 1 / V,
              control = control, verbose = FALSE)
fits <- list()
for (m in MODELS) {
  for (g in G) {
    b <- fit$BIC[as.character(g), m]
    ok <- !is.na(b)
    fits[[length(fits) + 1]] <- list(
      model = m, G = g, bic = if (ok) b else NA,
      loglik = if (ok) (b + nMclustParams(m, d, g, noise = TRUE) * log(n)) / 2 else NA,
      parameters = nMclustParams(m, d, g, noise = TRUE))
  }
}
out <- list(
  generator = "Tests/Fixtures/mclust/select-noise.R",
  versions = list(R = R.version.string, mclust = as.character(packageVersion("mclust")),
                  jsonlite = as.character(packageVersion("jsonlite"))),
  data = path, volume = V, noise_rows = which(noise) - 1, iterations = 25,
  best = list(model = fit$modelName, G = fit$G, noise_weight = unname(tail(fit$parameters$pro, 1))),
  fits = fits)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", na = "null", pretty = FALSE),
           "Tests/Fixtures/mclust/select-noise.json")
