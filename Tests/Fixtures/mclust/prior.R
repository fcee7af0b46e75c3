#!/usr/bin/env Rscript
# Reference MAP EM runs of R's mclust with its conjugate prior (priorControl(),
# Fraley & Raftery 2007), from a given start: the fixtures of
# Tests/GaussianMixturesTests/Covariance/ConjugatePriorTests.swift.
#
# How to run (from the repository root):
#
#     apt-get install r-base-core r-cran-mclust r-cran-jsonlite   # Debian 12: R 4.2.2, mclust 6.0.0, jsonlite 1.8.4
#     Rscript Tests/Fixtures/mclust/prior.R
#
# It writes Tests/Fixtures/mclust/prior-<dataset>.json for Data/iris.csv,
# Data/old-faithful.csv, Tests/Fixtures/data/wdbc-mean.csv (d = 10) and that set
# standardised (scale(): each column centred and divided by its standard
# deviation, written to Tests/Fixtures/mclust/wdbc-mean-scaled.csv with 17
# significant digits), and prior-bic-iris.json. On the raw wdbc-mean columns,
# whose variances differ by 10 orders of magnitude, mclust's VEI, EVI and VVI
# fail with the prior (one ς² for every column); those fits are written as null.
#
# For each data set X with G = 3 components, z0 is me.R's start
# (0.85 * unmap(hclass(hc(X), 3)) + 0.05); for each model m mclust defines a prior for:
#   me(X, m, z0, prior = priorControl(),
#      control = emControl(tol = c(0, sqrt(.Machine$double.eps)), itmax = c(25, .Machine$integer.max)))
# i.e. 25 MAP M-steps from z0 (the first an M-step), mclust's inner tolerance,
# tol[1] = 0 so the outer loop never stops early. Recorded: the prior's
# hyper-parameters (defaultPrior(X, G, m): shrinkage, mean, dof, scale — a
# number for the axis-aligned models, a d×d matrix for the others), weights,
# means, covariances, and loglik: the log-likelihood (not the log-posterior)
# of the last M-step's parameters, as me() reports it; bic = bic(m, loglik, n, d, G).
# The four models mclust has no prior for (VEE, EVE, VVE, EVV: me() fits them
# without it, with a warning) are listed under "unsupported".
#
# prior-choice.json: the model Mclust(prior = priorControl()) chooses on iris and
# Old Faithful (see the end).
#
# prior-bic-iris.json: mclustBIC(X, G = 1:9, prior = priorControl()) on iris
# for the ten models, with mclust's defaults otherwise (its hierarchical start,
# which does not depend on the prior); `starts` holds the partitions for
# G = 2…9 (hclass of that tree), so a test starts from the same ones.

suppressPackageStartupMessages({
  library(mclust)
  library(jsonlite)
})

DATASETS <- c("iris" = "Data/iris.csv", "old-faithful" = "Data/old-faithful.csv",
              "wdbc-mean" = "Tests/Fixtures/data/wdbc-mean.csv",
              "wdbc-mean-scaled" = "Tests/Fixtures/mclust/wdbc-mean-scaled.csv")
raw <- read.csv("Tests/Fixtures/data/wdbc-mean.csv")
scaled <- as.data.frame(apply(scale(as.matrix(raw)), 2, function(column) sprintf("%.17g", column)))
names(scaled) <- names(raw)
write.csv(scaled, DATASETS[["wdbc-mean-scaled"]], row.names = FALSE, quote = FALSE)
G <- 3
ITERATIONS <- 25
MODELS <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "EEV", "VEV", "VVV")
UNSUPPORTED <- c("VEE", "EVE", "VVE", "EVV")

matrices <- function(a) lapply(seq_len(dim(a)[3]), function(k) unname(a[, , k]))
versions <- list(R = R.version.string, mclust = as.character(packageVersion("mclust")),
                 jsonlite = as.character(packageVersion("jsonlite")))

for (name in names(DATASETS)) {
  path <- DATASETS[[name]]
  X <- as.matrix(read.csv(path))
  n <- nrow(X)
  d <- ncol(X)
  z0 <- 0.85 * unmap(hclass(hc(X), G)) + 0.05
  control <- emControl(tol = c(0, sqrt(.Machine$double.eps)), itmax = c(ITERATIONS, .Machine$integer.max))
  fits <- list()
  for (m in MODELS) {
    fit <- me(X, m, z0, prior = priorControl(), control = control)
    if (is.na(fit$loglik)) {
      fits[m] <- list(NULL)
      next
    }
    hyper <- defaultPrior(X, G, m)
    p <- fit$parameters
    sigma <- p$variance$sigma
    if (is.null(dim(sigma)) || length(dim(sigma)) == 2) sigma <- array(sigma, c(d, d, G))
    fits[[m]] <- list(
      prior = list(shrinkage = hyper$shrinkage, mean = unname(hyper$mean), dof = hyper$dof,
                   scale = unname(hyper$scale)),
      weights = unname(p$pro), means = unname(t(p$mean)), covariances = matrices(sigma),
      loglik = fit$loglik, parameters = nMclustParams(m, d, G), bic = bic(m, fit$loglik, n, d, G))
  }
  out <- list(
    generator = "Tests/Fixtures/mclust/prior.R", versions = versions,
    data = path, components = G, iterations = ITERATIONS,
    start = unname(z0), models = fits, unsupported = UNSUPPORTED)
  writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, null = "null", pretty = FALSE),
             file.path("Tests/Fixtures/mclust", paste0("prior-", name, ".json")))
}

# The BIC table with the prior on iris: each cell of mclustBIC(X, G = 1:9,
# prior = priorControl()) (its hc start; G = 1 is mvn(), one MAP M-step), with
# the number of M-steps me() takes from unmap(hclass(hc(X), G)) as mclustBIC runs
# it, its log-likelihood and BIC. Cells mclust cannot fit are null.
X <- as.matrix(read.csv(DATASETS[["iris"]]))
n <- nrow(X); d <- ncol(X)
table <- mclustBIC(X, G = 1:9, modelNames = MODELS, prior = priorControl(), verbose = FALSE)
cl <- hclass(hc(X, modelName = mclust.options("hcModelName"), use = mclust.options("hcUse")), 1:9)
cells <- list()
for (m in MODELS) {
  for (g in 1:9) {
    b <- table[as.character(g), m]
    if (g == 1) {
      o <- mvn(modelName = m, data = X, prior = priorControl())
      iterations <- 0L
    } else {
      o <- me(data = X, modelName = m, z = unmap(cl[, as.character(g)], groups = 1:g), prior = priorControl())
      info <- unlist(attr(o, "info"))
      iterations <- if (is.null(info)) NA else as.integer(abs(if ("iterations" %in% names(info)) info[["iterations"]] else info[1]))
    }
    ok <- !is.na(b)
    if (ok) stopifnot(isTRUE(all.equal(b, bic(m, o$loglik, n, d, g), tolerance = 1e-12)))
    cells[[length(cells) + 1]] <- list(
      model = m, G = g, iterations = iterations,
      loglik = if (ok) o$loglik else NA, bic_mclust = if (ok) b else NA)
  }
}
writeLines(toJSON(list(
  generator = "Tests/Fixtures/mclust/prior.R", versions = versions, data = DATASETS[["iris"]],
  starts = lapply(2:9, function(g) as.integer(cl[, as.character(g)])), fits = cells),
  digits = NA, auto_unbox = TRUE, na = "null", pretty = FALSE),
  "Tests/Fixtures/mclust/prior-bic-iris.json")

# The model Mclust(X, G = 1:9, prior = priorControl()) chooses over the ten
# models, on iris and Old Faithful: prior-choice.json.
choices <- list()
for (name in c("iris", "old-faithful")) {
  X <- as.matrix(read.csv(DATASETS[[name]]))
  fit <- Mclust(X, G = 1:9, modelNames = MODELS, prior = priorControl(), verbose = FALSE)
  choices[[name]] <- list(data = DATASETS[[name]], model = fit$modelName, G = fit$G, bic = fit$bic)
}
writeLines(toJSON(list(generator = "Tests/Fixtures/mclust/prior.R", versions = versions, choices = choices),
                  digits = NA, auto_unbox = TRUE, pretty = FALSE),
           "Tests/Fixtures/mclust/prior-choice.json")
