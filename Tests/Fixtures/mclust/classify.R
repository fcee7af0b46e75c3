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
# MODELS is the one place that lists the mclust covariance models used: today
# the four of our families (full = VVV, diag = VVI, spherical = VII,
# tied = EEE); switch it to all 14 when the other models exist.
#
# Recorded, for each data set:
#  * MclustDA(X, class, G = 1:5, modelNames = MODELS): per class the chosen
#    model and G, its BIC, the per-class BIC table at G = 1 (a G = 1 fit is the
#    maximum-likelihood estimate, no EM start involved, so it is exactly
#    comparable), the class's whole BIC table (G = 1..5 by model, null where
#    mclust could not fit) and the training error. mclust starts EM from
#    hierarchical agglomeration, we from k-means, so fits with G > 1 can reach
#    other optima; compare the choice and the training error there.
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

MODELS <- c(full = "VVV", diag = "VVI", spherical = "VII", tied = "EEE")
FAMILY_OF <- setNames(names(MODELS), MODELS)
# With G = 1 mclust names models by shape alone: XXX (any full matrix: our full and
# tied coincide), XXI (diagonal), XII (spherical). With all 14 models these lists grow:
# every model whose one-component form is a full / diagonal / spherical matrix.
FAMILIES_OF <- function(name) switch(name, XXX = c("full", "tied"), XXI = "diag", XII = "spherical", FAMILY_OF[[name]])
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
    full <- Mclust(Xl, G = 1:5, modelNames = unname(MODELS), verbose = FALSE)$BIC
    table <- lapply(MODELS, function(mn) unname(-full[, mn]))
    names(table) <- names(MODELS)
    list(name = l, n = sum(cl == l), model = m$modelName, bic_ours_table = table, families = as.list(FAMILIES_OF(m$modelName)), G = m$G,
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
  initialisation_note = paste("MclustDA's per-class fits start EM from hierarchical agglomeration, ours from",
                              "k-means: fits with G > 1 may differ; G = 1 and EDDA BICs are exactly comparable."),
  datasets = lapply(sets, classify),
  semi_supervised = list(data = "Tests/Fixtures/data/iris-species.csv", labelled_rows = labelled - 1,
                         iterations = ITERATIONS,
                         start = "z one-hot on labelled rows (component = index of the class in sorted order), 1/G elsewhere; then ITERATIONS M-steps",
                         runs = ssc_runs))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null", na = "null"),
           "Tests/Fixtures/mclust/classify.json")
