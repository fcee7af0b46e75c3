#!/usr/bin/env Rscript
# Reference model-selection results from R's mclust, for `gmm select`.
#
# How to run (from the repository root):
#
#     apt-get install r-base-core r-cran-mclust r-cran-jsonlite   # Debian 12: R 4.2.2, mclust 6.0.0, jsonlite 1.8.4
#     Rscript Tests/Fixtures/mclust/generate.R
#
# It writes Tests/Fixtures/mclust/<dataset>.json for Data/old-faithful.csv and
# Data/iris.csv (CSV with a header row, all numeric). The R, mclust and jsonlite
# versions used are recorded in each JSON file.
#
# For each data set X it runs, with mclust's defaults otherwise,
#     Mclust(X,    G = 1:8, modelNames = c("VVV", "VVI", "VII", "EEE"))
#     mclustICL(X, G = 1:8, modelNames = c("VVV", "VVI", "VII", "EEE"))
# and, for every (model, G), Mclust(X, G = g, modelNames = m) to get that fit's
# log-likelihood.
#
# Model names <-> our (scikit-learn) covariance families:
#     full = "VVV", diag = "VVI", spherical = "VII", tied = "EEE".
#
# Sign conventions:
#   mclust:  BIC = 2 logL - p ln n   (HIGHER is better)   -> "bic_mclust"
#   ours:    BIC = -2 logL + p ln n  (LOWER is better)    -> "bic_ours" = -bic_mclust
#   ICL likewise: "icl_mclust" (higher better), "icl_ours" = -icl_mclust.
#
# ICL definition (mclust 6.0.0; ?icl / ?mclustICL only cite Biernacki, Celeux &
# Govaert 2000, the formula is in the source of mclust:::icl.Mclust, which
# mclustICL calls for every (model, G)): see ICL_DEFINITION below.
#
# Caveat: mclust initialises EM from model-based hierarchical agglomeration
# (hc with modelName "VVV" on SVD-transformed data, mclust.options("hcUse") =
# "SVD"), not k-means, so its fitted log-likelihoods can differ from ours at
# some (K, family). Compare only the SELECTED (family, K) ("best_bic",
# "best_icl"); the full tables are informational.
#
# Entries mclust could not fit (NA in its BIC table) are written as null.

suppressPackageStartupMessages({
  library(mclust)
  library(jsonlite)
})

GENERATOR <- "Tests/Fixtures/mclust/generate.R"
OUT_DIR <- "Tests/Fixtures/mclust"
DATASETS <- c("old-faithful" = "Data/old-faithful.csv", "iris" = "Data/iris.csv")
G_RANGE <- 1:8
MODELS <- c(full = "VVV", diag = "VVI", spherical = "VII", tied = "EEE")
FAMILY_OF <- setNames(names(MODELS), MODELS)

ICL_DEFINITION <- paste(
  "mclust (icl.Mclust, used by mclustICL) defines ICL = BIC + 2 * sum_i sum_k C_ik * log(z_ik),",
  "where BIC is mclust's BIC (2 logL - p ln n, higher is better), z_ik are the fitted posterior",
  "membership probabilities of the converged EM fit and C_ik is the MAP hard-assignment indicator",
  "(C_ik = 1 for k = which.max(z_i.), the first maximum on ties, else 0), with 0*log(0) taken as 0;",
  "i.e. ICL = BIC minus twice the entropy of the MAP classification, so ICL <= BIC (higher is better).",
  "In our (scikit-learn, lower-is-better) sign convention: icl_ours = -icl_mclust =",
  "-2 logL + p ln n - 2 sum_i log(max_k z_ik)."
)

if (!file.exists(DATASETS[[1]])) {
  stop("run from the repository root: Rscript ", GENERATOR)
}
dir.create(OUT_DIR, showWarnings = FALSE, recursive = TRUE)

r_version <- R.version.string
mclust_version <- as.character(packageVersion("mclust"))
jsonlite_version <- as.character(packageVersion("jsonlite"))
cat(r_version, "\n", "mclust ", mclust_version, "\n", "jsonlite ", jsonlite_version, "\n", sep = "")

# Our (scikit-learn) free-parameter counts.
n_params_ours <- function(family, K, d) {
  switch(family,
    full      = K * d * (d + 1) / 2 + K * d + K - 1,
    diag      = K * d + K * d + K - 1,
    spherical = K + K * d + K - 1,
    tied      = d * (d + 1) / 2 + K * d + K - 1)
}

num_or_null <- function(x) if (is.null(x) || length(x) == 0 || is.na(x)) NULL else unname(x)

full_precision <- function(x) {
  if (is.list(x)) return(lapply(x, full_precision))
  if (is.double(x) && length(x) == 1 && !is.na(x)) {
    if (x == round(x) && abs(x) < 2^53) return(structure(sprintf("%.1f", x), class = "json"))
    return(structure(sprintf("%.17g", x), class = "json"))
  }
  x
}

top_of <- function(tab, k = 3) {
  # mclust's own ranking (pickBIC, as used by summary.mclustBIC / summary.mclustICL)
  p <- pickBIC(tab, k = k)
  parts <- strsplit(names(p), ",", fixed = TRUE)
  lapply(seq_along(p), function(i) list(model = parts[[i]][1],
                                         G = as.integer(parts[[i]][2]),
                                         value = unname(p[i])))
}

for (name in names(DATASETS)) {
  path <- DATASETS[[name]]
  X <- as.matrix(read.csv(path, header = TRUE))
  storage.mode(X) <- "double"
  n <- nrow(X); d <- ncol(X)
  cat("\n== ", name, " (", path, "): n = ", n, ", d = ", d, "\n", sep = "")

  fit <- Mclust(X, G = G_RANGE, modelNames = unname(MODELS))
  BIC <- fit$BIC
  ICL <- mclustICL(X, G = G_RANGE, modelNames = unname(MODELS))

  cat("\nparameter counts (family, model, K: mclust nMclustParams vs ours)\n")
  rows <- list()
  for (fam in names(MODELS)) {
    m <- MODELS[[fam]]
    for (g in G_RANGE) {
      p_mclust <- nMclustParams(m, d, g)
      p_ours <- n_params_ours(fam, g, d)
      cat(sprintf("  %-9s %s K=%d: %4d %4d%s\n", fam, m, g, as.integer(p_mclust),
                  as.integer(p_ours), if (p_mclust == p_ours) "" else "  MISMATCH"))
      stopifnot(p_mclust == p_ours)

      bic <- BIC[as.character(g), m]
      icl <- ICL[as.character(g), m]
      # mclustICL() fits only where its internal mclustBIC() did; ICL <= BIC.
      stopifnot(identical(is.na(bic), is.na(icl)))
      if (!is.na(bic)) stopifnot(icl <= bic)
      loglik <- NA_real_
      if (!is.na(bic)) {
        single <- suppressWarnings(Mclust(X, G = g, modelNames = m))
        if (!is.null(single)) {
          loglik <- single$loglik
          # consistency: BIC = 2 logL - p ln n, and same fit as in the table
          stopifnot(isTRUE(all.equal(unname(single$bic), unname(bic), tolerance = 1e-10)))
          stopifnot(isTRUE(all.equal(2 * loglik - p_mclust * log(n), unname(bic),
                                     tolerance = 1e-10)))
          stopifnot(isTRUE(all.equal(unname(icl(single)), unname(icl), tolerance = 1e-10)))
        }
      }
      rows[[length(rows) + 1]] <- list(
        family = fam, model = m, components = g,
        bic_mclust = num_or_null(bic), icl_mclust = num_or_null(icl),
        bic_ours = num_or_null(-bic), icl_ours = num_or_null(-icl),
        loglik = num_or_null(loglik),
        n_parameters = as.integer(p_mclust))
    }
  }

  # Best by BIC: the model Mclust() itself selected.
  best_bic <- list(model = fit$modelName, family = FAMILY_OF[[fit$modelName]],
                   components = fit$G, bic_mclust = unname(fit$bic), bic_ours = -unname(fit$bic),
                   icl_mclust = unname(ICL[as.character(fit$G), fit$modelName]),
                   loglik = fit$loglik,
                   n_parameters = as.integer(nMclustParams(fit$modelName, d, fit$G)))
  # Best by ICL: mclust's own ranking of the mclustICL table (summary.mclustICL).
  ti <- top_of(ICL, 1)[[1]]
  fit_icl <- Mclust(X, G = ti$G, modelNames = ti$model)
  stopifnot(isTRUE(all.equal(unname(icl(fit_icl)), ti$value, tolerance = 1e-10)))
  best_icl <- list(model = ti$model, family = FAMILY_OF[[ti$model]], components = ti$G,
                   icl_mclust = ti$value, icl_ours = -ti$value,
                   bic_mclust = unname(fit_icl$bic), loglik = fit_icl$loglik,
                   n_parameters = as.integer(nMclustParams(ti$model, d, ti$G)))
  # Mclust's pick must be the top of pickBIC on its BIC table.
  tb <- top_of(BIC, 1)[[1]]
  stopifnot(tb$model == fit$modelName, tb$G == fit$G)

  out <- list(
    generator = GENERATOR,
    r_version = r_version,
    mclust_version = mclust_version,
    jsonlite_version = jsonlite_version,
    data = path,
    n = n, d = d,
    feature_names = colnames(X),
    call_bic = c('Mclust(X, G = 1:8, modelNames = c("VVV","VVI","VII","EEE"))'),
    call_icl = c('mclustICL(X, G = 1:8, modelNames = c("VVV","VVI","VII","EEE"))'),
    model_names = as.list(MODELS),
    conventions = list(
      bic_mclust = "2*logL - p*ln(n), higher is better (mclust)",
      bic_ours = "-bic_mclust = -2*logL + p*ln(n), lower is better (scikit-learn)",
      icl_mclust = "mclust's ICL, higher is better",
      icl_ours = "-icl_mclust, lower is better",
      loglik = "log-likelihood of Mclust(X, G = components, modelNames = model)",
      null = "mclust could not fit this (model, components): NA in its table"),
    icl_definition = ICL_DEFINITION,
    initialisation_note = paste(
      "mclust starts EM from model-based hierarchical agglomeration (hc, modelName 'VVV',",
      "hcUse 'SVD'), not k-means; fitted log-likelihoods may differ from ours at some",
      "(family, K). Compare the selected model (best_bic / best_icl) only."),
    best_bic = best_bic,
    best_icl = best_icl,
    top3_bic = top_of(BIC, 3),
    top3_icl = top_of(ICL, 3),
    table = rows)

  # jsonlite prints at most 15 significant digits, so every double is pre-formatted
  # with sprintf("%.17g") (exact round trip) and inserted verbatim.
  json <- toJSON(full_precision(out), auto_unbox = TRUE, json_verbatim = TRUE,
                 null = "null", na = "null", pretty = TRUE)
  # full precision check: every number must round-trip exactly
  back <- fromJSON(json, simplifyVector = FALSE)
  for (i in seq_along(rows)) for (k in c("bic_mclust", "icl_mclust", "loglik")) {
    a <- rows[[i]][[k]]; b <- back$table[[i]][[k]]
    stopifnot(identical(is.null(a), is.null(b)), is.null(a) || identical(a, b))
  }
  stopifnot(identical(back$best_bic$bic_mclust, best_bic$bic_mclust),
            identical(back$best_icl$icl_mclust, best_icl$icl_mclust),
            identical(back$best_bic$loglik, best_bic$loglik))
  out_path <- file.path(OUT_DIR, paste0(name, ".json"))
  writeLines(json, out_path, useBytes = TRUE)

  cat("\nBIC (mclust sign):\n"); print(summary(BIC))
  cat("\nICL (mclust sign):\n"); print(summary(ICL))
  cat(sprintf("\nbest by BIC: %s (%s), K = %d, BIC_mclust = %.17g, logL = %.17g\n",
              best_bic$family, best_bic$model, best_bic$components, best_bic$bic_mclust,
              best_bic$loglik))
  cat(sprintf("best by ICL: %s (%s), K = %d, ICL_mclust = %.17g, logL = %.17g\n",
              best_icl$family, best_icl$model, best_icl$components, best_icl$icl_mclust,
              best_icl$loglik))
  cat("wrote", out_path, "\n")
}
