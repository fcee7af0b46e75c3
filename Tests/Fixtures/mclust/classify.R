#!/usr/bin/env Rscript
# Reference results from R's mclust for classification (MclustDA, EDDA) and
# semi-supervised mixtures (MclustSSC), for `gmm classify` and `gmm fit --labels`.
#
# How to run (from the repository root):
#
#     apt-get install r-base-core r-cran-mclust r-cran-jsonlite   # Debian: mclust 6.0.0
#     Rscript Tests/Fixtures/mclust/classify.R
#
# It writes
#   Tests/Fixtures/data/iris-species.csv   R's `iris` (Anderson/Fisher), species as a text column
#   Tests/Fixtures/data/banknote.csv       mclust's `banknote` (Flury & Riedwyl 1988, Swiss bank notes),
#                                          Status (genuine/counterfeit) as a text column
#   Tests/Fixtures/mclust/classify.json    the results below
#
# MODELS is the one place that lists the mclust covariance models used: all 14
# (names = ours: full = VVV, diag = VVI, spherical = VII, tied = EEE, the others
# their mclust names).
#
# Recorded, for each data set:
#  * MclustDA(X, class, G = 1:5, modelNames = MODELS): per class the chosen
#    model and G, its BIC, the per-class BIC table at G = 1 (a G = 1 fit is the
#    maximum-likelihood estimate, no EM start involved, so it is exactly
#    comparable), the class's whole BIC table (G = 1..5 by model, null where
#    mclust could not fit) and the training error. mclustBIC starts each G > 1
#    EM from hc(class rows, hcModelName = "VVV", hcUse = "SVD") cut at G; the
#    table's cells are recomputed here with me() from that partition, which
#    also gives the number of EM iterations each made ("fits": model, G,
#    iterations, bic_ours), so that the same start and the same number of
#    M-steps can be compared cell by cell.
#  * EDDA (MclustDA(modelType = "EDDA")): the BIC of every model (an M-step on
#    the class labels: no start involved, exactly comparable), the chosen model
#    and the training error and Brier score.
#  * cvMclustDA's 10-fold cross-validated error and Brier score for both, with
#    the folds it used (0-based fold of every row, "cv_folds").
# and for iris, MclustSSC-style semi-supervised EM (mclust:::MclustSSC.fit) with
# the classes of rows 1, 11, 21, ... known (15 rows), for every model, with
# G = 3 (MclustSSC's start: z one-hot on labelled rows, 1/G elsewhere) and
# G = 4 (the same start rule, an extra component without labels), run for
# exactly ITERATIONS M-steps (tol = -Inf): the parameters and the log-likelihood.
#
# Signs: mclust's BIC = 2 logL − p ln n (higher better); ours = −that ("bic_ours").

suppressPackageStartupMessages({ library(mclust); library(jsonlite) })

MODELS <- c(EII = "EII", spherical = "VII", EEI = "EEI", VEI = "VEI", EVI = "EVI", diag = "VVI", tied = "EEE",
            VEE = "VEE", EVE = "EVE", VVE = "VVE", EEV = "EEV", VEV = "VEV", EVV = "EVV", full = "VVV")
FAMILY_OF <- setNames(names(MODELS), MODELS)
# With G = 1 mclust names models by shape alone: XXX (a full matrix: every model
# with variable or equal orientation, VVV, EEE, VEE, EVE, VVE, EEV, VEV, EVV, all
# the same one-component fit), XXI (diagonal: VVI, EEI, VEI, EVI) and XII
# (spherical: VII, EII). Our choice may be any of the group (their BICs tie).
G1_GROUPS <- list(XXX = c("VVV", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV"),
                  XXI = c("VVI", "EEI", "VEI", "EVI"), XII = c("VII", "EII"))
FAMILIES_OF <- function(name) {
  if (name %in% names(G1_GROUPS)) unname(FAMILY_OF[G1_GROUPS[[name]]]) else FAMILY_OF[[name]]
}
ITERATIONS <- 30

dir.create("Tests/Fixtures/data", showWarnings = FALSE)
iris_df <- data.frame(sepal_length = iris$Sepal.Length, sepal_width = iris$Sepal.Width,
                      petal_length = iris$Petal.Length, petal_width = iris$Petal.Width,
                      species = as.character(iris$Species))
write.csv(iris_df, "Tests/Fixtures/data/iris-species.csv", row.names = FALSE, quote = FALSE)
data(banknote, package = "mclust")
bank_df <- data.frame(status = as.character(banknote$Status), length = banknote$Length, left = banknote$Left,
                      right = banknote$Right, bottom = banknote$Bottom, top = banknote$Top,
                      diagonal = banknote$Diagonal)
write.csv(bank_df, "Tests/Fixtures/data/banknote.csv", row.names = FALSE, quote = FALSE)

sets <- list(
  iris = list(file = "Tests/Fixtures/data/iris-species.csv", X = as.matrix(iris_df[, 1:4]), class = iris_df$species),
  banknote = list(file = "Tests/Fixtures/data/banknote.csv", X = as.matrix(bank_df[, 2:7]), class = bank_df$status))

classify <- function(set) {
  X <- set$X; cl <- factor(set$class); n <- nrow(X)
  da <- MclustDA(X, cl, G = 1:5, modelNames = unname(MODELS), verbose = FALSE)
  pred <- predict(da, X)
  classes <- lapply(levels(cl), function(l) {
    m <- da$models[[l]]
    Xl <- X[cl == l, , drop = FALSE]
    g1 <- sapply(MODELS, function(mn) {
      b <- tryCatch(Mclust(Xl, G = 1, modelNames = mn, verbose = FALSE)$bic, error = function(e) NA)
      if (is.null(b)) NA else -b
    })
    full <- m$BIC
    table <- lapply(MODELS, function(mn) unname(-full[, mn]))
    names(table) <- names(MODELS)
    hcl <- hclass(hc(Xl, modelName = mclust.options("hcModelName"), use = mclust.options("hcUse")), 2:5)
    fits <- list()
    for (mn in MODELS) for (g in 1:5) {
      b <- full[as.character(g), mn]
      if (is.na(b)) next
      if (g == 1) { o <- mvn(modelName = mn, data = Xl); iterations <- 0L } else {
        o <- me(data = Xl, modelName = mn, z = unmap(hcl[, as.character(g)], groups = 1:g))
        info <- unlist(attr(o, "info"))
        iterations <- as.integer(abs(if ("iterations" %in% names(info)) info[["iterations"]] else info[1]))
      }
      stopifnot(isTRUE(all.equal(b, bic(mn, o$loglik, nrow(Xl), ncol(Xl), g), tolerance = 1e-12)))
      fits[[length(fits) + 1]] <- list(model = mn, G = g, iterations = iterations, bic_ours = -b)
    }
    list(name = l, n = sum(cl == l), model = m$modelName, bic_ours_table = table, fits = fits, families = as.list(FAMILIES_OF(m$modelName)), G = m$G,
         bic_ours = -max(m$BIC, na.rm = TRUE), loglik = m$loglik, bic_ours_g1 = as.list(setNames(g1, names(MODELS))))
  })
  edda <- MclustDA(X, cl, modelType = "EDDA", modelNames = unname(MODELS), verbose = FALSE)
  epred <- predict(edda, X)
  ebic <- -edda$models[[1]]$BIC[unname(MODELS)]
  names(ebic) <- names(MODELS)
  # 10-fold cross-validation (mclust's cvMclustDA: stratified folds from balancedFolds, each
  # fold predicted by the chosen models refitted on the rest); the folds are recorded.
  set.seed(1); folds <- mclust:::balancedFolds(cl, nfolds = 10)
  fold_of <- integer(n); for (f in seq_along(folds)) fold_of[folds[[f]]] <- f - 1L
  set.seed(1); cv_da <- cvMclustDA(da, nfold = 10, verbose = FALSE)
  set.seed(1); cv_edda <- cvMclustDA(edda, nfold = 10, verbose = FALSE)
  list(file = set$file, n = n, classes_in_order = levels(cl), cv_folds = fold_of,
       cv = list(mclustda = list(error = cv_da$ce, brier = cv_da$brier),
                 edda = list(error = cv_edda$ce, brier = cv_edda$brier)),
       mclustda = list(
         classes = classes, training_error = mean(pred$classification != cl),
         brier = BrierScore(pred$z, cl)),
       edda = list(model = edda$models[[1]]$modelName, family = FAMILY_OF[[edda$models[[1]]$modelName]],
                   bic_ours = as.list(ebic), loglik = edda$loglik,
                   training_error = mean(epred$classification != cl), brier = BrierScore(epred$z, cl)))
}

ssc <- function(X, class, G, modelName) {
  control <- emControl(itmax = c(ITERATIONS, .Machine$integer.max))
  control$tol[1] <- -Inf   # emControl refuses a negative tol; MclustSSC.fit only compares against it
  fit <- mclust:::MclustSSC.fit(X, class, G = G, modelName = modelName, control = control)
  stopifnot(is.finite(fit$loglik))
  p <- fit$parameters
  sigma <- lapply(seq_len(G), function(k) unname(p$variance$sigma[, , k]))
  list(model = modelName, family = FAMILY_OF[[modelName]], G = G, loglik = fit$loglik,
       weights = unname(p$pro), means = unname(t(p$mean)), covariances = sigma)
}
labelled <- seq(1, 150, by = 10)
ssc_class <- rep(NA_character_, 150); ssc_class[labelled] <- as.character(iris$Species[labelled])
ssc_runs <- list()
for (G in c(3, 4)) for (mn in MODELS) ssc_runs[[length(ssc_runs) + 1]] <- ssc(as.matrix(iris_df[, 1:4]), ssc_class, G, mn)

out <- list(
  generator = "Tests/Fixtures/mclust/classify.R",
  r_version = paste(R.version$major, R.version$minor, sep = "."),
  mclust_version = as.character(packageVersion("mclust")),
  jsonlite_version = as.character(packageVersion("jsonlite")),
  model_names = as.list(MODELS),
  initialisation_note = paste("MclustDA's per-class fits start EM from hierarchical agglomeration of the class's rows",
                              "(VVV, hcUse = SVD), as gmm classify fit's default --init hc."),
  datasets = lapply(sets, classify),
  semi_supervised = list(data = "Tests/Fixtures/data/iris-species.csv", labelled_rows = labelled - 1,
                         iterations = ITERATIONS,
                         start = "z one-hot on labelled rows (component = index of the class in sorted order), 1/G elsewhere; then ITERATIONS M-steps",
                         runs = ssc_runs))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null", na = "null"),
           "Tests/Fixtures/mclust/classify.json")
