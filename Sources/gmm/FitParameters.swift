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

    @Flag(help: ArgumentHelp(
        "Add mclust's uniform noise component: weight π₀, density 1/V with V the volume of the data's bounding box. "
            + "Start: the rows Byers & Raftery's nearest-neighbour cleaning (k = 5, as R's NNclean) calls noise, the "
            + "usual --init on the others. Model files get a \"noise\" key; predict adds a noise column."))
    var noise = false

    @Option(name: .customLong("noise-volume"), parsing: .unconditional, help: ArgumentHelp(
        "With --noise: V (mclust's Vinv = 1/V), or box (the bounding box's volume, the default), or hypvol "
            + "(mclust's default: the smaller of that and the volume of the box around the principal-component scores).",
        valueName: "V|box|hypvol"))
    var noiseVolume: String?

    /// `--noise-volume` read: a number, or a rule.
    var noiseVolumeSetting: (volume: Double?, rule: NoiseVolumeRule)? {
        guard let noiseVolume else { return (nil, .boundingBox) }
        if let rule = NoiseVolumeRule(rawValue: noiseVolume) { return (nil, rule) }
        guard let value = Double(noiseVolume), value > 0, value.isFinite else { return nil }
        return (value, .boundingBox)
    }

    @Option(name: .customLong("noise-init"), help: ArgumentHelp(
        "With --noise: the starting noise rows instead of the nearest-neighbour guess, a file with one 0/1 "
            + "(or false/true) per data row.", valueName: "FILE"))
    var noiseInit: String?

    @Flag(name: .customLong("prior"), help: ArgumentHelp(
        "MAP EM with mclust's conjugate prior and its defaults (priorControl(): shrinkage 0.01 toward the data's mean, "
            + "d + 2 degrees of freedom, scale the data's variance over K^(2/d)), so small or degenerate clusters get a "
            + "finite fit. For EII, VII, EEI, VEI, EVI, VVI, EEE, EEV, VEV and VVV (mclust defines none for the other four). "
            + "The log-likelihood, BIC and AIC reported are the log-likelihood's, as mclust reports them; "
            + "with --reg-covar 0 each EM step is mclust's. The model file records the prior (\"prior\"); "
            + "fit --init-model FILE --prior reuses FILE's."))
    var usesPrior = false

    func validate() throws {
        try em.check()
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if !noise && (noiseVolume != nil || noiseInit != nil) {
            throw ValidationError("--\(noiseVolume != nil ? "noise-volume" : "noise-init") needs --noise")
        }
        if let noiseVolume, noiseVolumeSetting == nil {
            throw ValidationError("--noise-volume must be a finite positive number, box or hypvol, got \(noiseVolume)")
        }
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
            noise: noise ? NoiseOptions(volume: noiseVolumeSetting?.volume,
                                        volumeRule: noiseVolumeSetting?.rule ?? .boundingBox) : nil,
            skipsNegligibleComponents: !exact)
    }

    /// `options` with the `--noise-init` rows read for `rows` data rows.
    func readingNoiseInit(_ options: FitOptions, rows: Int) throws -> FitOptions {
        guard let noiseInit else { return options }
        var options = options
        options.noise?.initialNoise = try readNoiseRows(noiseInit, rows: rows)
        return options
    }

    /// mclust's default prior for a fit of `options` to `data`, when --prior is given.
    ///
    /// - Throws: `FitError.invalidOption` (exit 64) when mclust defines no prior for the model.
    func prior(for data: DataMatrix, weights: [Double]?, options: FitOptions) throws -> ConjugatePrior? {
        guard usesPrior else { return nil }
        return try ConjugatePrior.mclustDefault(for: data, weights: weights, componentCount: options.componentCount,
                                                kind: options.covarianceKind)
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
