import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine

/// The options `fit` and `select` share: how EM runs, which columns, which weights.
struct FitParameters: ParsableArguments {
    @Option(name: .customLong("init"), help: ArgumentHelp(
        "How to start: kmeans, k-means++, random, random-from-data, or hc (mclust's model-based hierarchical agglomeration, "
            + "cut at K; above 2000 rows on a seeded subset of 2000). Default: kmeans for fit, hc for select.",
        valueName: "METHOD"))
    var initializationChoice: InitChoice?

    /// The start in force for `gmm fit`: `--init`, else k-means.
    var initialization: InitChoice { initializationChoice ?? .kmeans }

    @OptionGroup var em: EMParameters

    @Option(help: ArgumentHelp("Columns to use, by name or 0-based index (a,b or 0,2).", valueName: "LIST"))
    var columns: String?

    @Option(name: .customLong("sample-weights"), help: ArgumentHelp(
        "Frequency weights: a file with one non-negative number per data row (an integer weight acts as that many copies of the row).",
        valueName: "FILE"))
    var sampleWeights: String?

    @Option(name: .customLong("weight-column"), help: ArgumentHelp(
        "Take the frequency weights from this column of the data file; it is then not a feature.", valueName: "NAME"))
    var weightColumn: String?

    @Option(parsing: .unconditional, help: "Threads for the E-step (default: every core); results are the same to the bit whatever the number.")
    var threads: Int?

    @Flag(help: "Evaluate every component for every row in the E-step (default: skip, for groups of nearby rows, the components whose responsibilities there are below rounding; results agree within about 1e-15). GMM_EXACT=1 does the same.")
    var exact = false

    @Option(help: "Component order of the result: weight (largest first) or mean (by the first coordinate), so refits number components alike.")
    var order: ComponentOrder = .weight

    func validate() throws {
        try em.check()
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if sampleWeights != nil && weightColumn != nil {
            throw ValidationError("--sample-weights and --weight-column cannot be used together")
        }
        if let weightColumn, let columns,
           Set(ColumnSelector.parseList(columns)).contains(where: ColumnSelector.parseList(weightColumn).contains) {
            throw ValidationError("--weight-column \(weightColumn) is also named in --columns: a column is either weights or a feature")
        }
    }

    /// The library's options for these flags.
    func options(componentCount: Int = 1, kind: CovarianceKind = .full, start: GaussianMixture? = nil) -> FitOptions {
        FitOptions(
            componentCount: componentCount, covarianceKind: kind,
            initialization: start.map(InitializationMethod.model) ?? initialization.method,
            initializationCount: em.initializationCount, maxIterations: em.maxIterations, tolerance: em.tol,
            covarianceRegularization: em.regularization, seed: em.seed, threadCount: threads,
            skipsNegligibleComponents: !exact)
    }

    /// Reads the data and the frequency weights the flags name; with a starting
    /// model and no `--columns`, the model's feature names pick the columns.
    func read(_ path: String, for start: GaussianMixture? = nil) throws -> (DataMatrix, [Double]?) {
        var matrix: DataMatrix
        var weights: [Double]?
        if let weightColumn {
            (matrix, weights) = try readWithWeightColumn(path, weightColumn: weightColumn, columns: columns)
        } else if let start, columns == nil {
            matrix = try readData(path, columns: nil, for: start)
        } else {
            matrix = try DataFileReader.read(path: path, columns: columns.map(ColumnSelector.parseList))
        }
        if let sampleWeights { weights = try readWeightFile(sampleWeights, rows: matrix.sampleCount) }
        return (matrix, weights)
    }
}
