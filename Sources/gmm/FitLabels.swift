import ArgumentParser
import Foundation
import GaussianMixtures
import GaussianMixturesCommandLine

// `gmm fit DATA --labels COLUMN|FILE`: semi-supervised EM (mclust's MclustSSC).
// Labelled rows keep their class's component in every E-step; label number c
// (sorted) is component c, and components beyond the number of labels model
// classes nobody labelled. The components keep that numbering (no --order), and
// the model file names them in "component_labels".

extension Fit {
    func runWithLabels(_ spec: String) throws {
        if variational.method == .variational { throw ValidationError("--labels cannot be used with --method variational") }
        if onlineFitting.online { throw ValidationError("--labels cannot be used with --online") }
        if checkpointing.isUsed { throw ValidationError("--checkpoint and --resume are not supported yet with --labels") }
        if let choice = fitting.initializationChoice {
            throw ValidationError("--init \(choice.rawValue) cannot be used with --labels: a labelled fit starts from its labelled rows "
                                  + "(class means, k-means++ centres for unlabelled components), or from --init-model")
        }
        if initResponsibilities != nil { throw ValidationError("--init-responsibilities cannot be used with --labels: labelled rows fix their own") }
        if let output { try checkOutputPath(output) }
        var start: GaussianMixture?
        if let initModel {
            start = try ModelFile.read(path: initModel).model
            if let components, components != start!.componentCount {
                throw ValidationError("-k \(components) disagrees with --init-model \(initModel), which has \(start!.componentCount) components")
            }
        }
        let rowLabels = try RowLabels.read(spec, data: data)
        var reading = fitting
        if let column = rowLabels.column {
            if let columns = fitting.columns {
                let header = try RowLabels.header(of: data)
                let named = ColumnSelector.parseList(columns).contains { selector in
                    switch selector {
                    case let .index(j): j == column
                    case let .name(name): header?.firstIndex(of: name) == column
                    }
                }
                if named { throw ValidationError("--labels \(spec) is also named in --columns: a column is either labels or a feature") }
            } else {
                reading.columns = try rowLabels.featureColumns(of: data, excluding: fitting.weightColumn)
            }
        }
        let (incomplete, weights) = try missingValues.readFitData(data, fitting: reading, start: start, online: false)
        try rowLabels.check(rows: incomplete.sampleCount, spec: spec)
        let names = rowLabels.names
        let kCount = start?.componentCount ?? components ?? names.count
        guard kCount >= names.count else {
            throw CommandFailure(message: "-k \(kCount) is smaller than the number of distinct labels, \(names.count) "
                                 + "(\(names.prefix(10).joined(separator: ", "))\(names.count > 10 ? ", …" : ""))",
                                 status: ExitStatus.usage)
        }
        let options = reading.options(componentCount: kCount, kind: start?.covarianceKind ?? covariance ?? .full, start: start)
        let known = KnownComponents(rowLabels.indices)
        let clock = ContinuousClock()
        let began = clock.now
        let meter = CommandProgress.meter()   // the iteration line (-q: none)
        let progress: ((FitProgress) -> Void)? = meter.map { meter in { p in
            let change = p.change.isFinite ? readable(p.change, digits: 3) : "—"
            let restart = options.initializationCount > 1 ? "restart \(p.initialization + 1)/\(options.initializationCount)  " : ""
            meter.show("\(restart)iteration \(p.iteration)  mean log-likelihood \(readable(p.meanLogLikelihood, digits: 10))  change \(change)")
        } }
        let result = try reportingDataErrors(data) { () throws(FitError) in
            try ExpectationMaximization.fit(incomplete, weights: weights, knownComponents: known, options: options,
                                            progress: progress)
        }
        meter?.finish(keeping: true)
        let elapsed = clock.now - began
        let model = result.model
        let summary = FitSummary(report: result.report, model: model)
        let componentLabels: [String?] = (0..<kCount).map { $0 < names.count ? names[$0] : nil }
        if let output {
            let members: [(String, String)] = [
                ("fit_options", "{\"init\": \"\(initModel == nil ? "labels" : "model")\", "
                    + "\"n_init\": \(fitting.em.initializationCount), \"max_iter\": \(fitting.em.maxIterations), "
                    + "\"tol\": \(fitting.em.tol), \"reg_covar\": \(fitting.em.regularization), \"seed\": \(fitting.em.seed)"
                    + missingValues.fitOptionsMembers + "}"),
                ModelFile.componentLabelsMember(componentLabels),
                ("n_labelled", String(known.labelledRowCount)),
            ] + missingValues.modelFileMembers(incomplete)
            try OutputFile.write(ModelFile.encode(model, summary: summary, extra: members), to: output)
        }
        if !quiet {
            var lines = summaryLines(model, summary: summary) + missingValues.summaryLines(incomplete)
            lines.append("labelled rows:       \(known.labelledRowCount) of \(incomplete.sampleCount) (semi-supervised; "
                         + "the mean log-likelihood is complete-data for them)")
            lines.append("component labels:    " + componentLabels.enumerated().map { "\($0.offset) \($0.element ?? "(none)")" }
                .joined(separator: ", "))
            lines.append("time:                \(readable(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18, digits: 3)) s")
            lines.append(output.map { "model written to:    \($0 == "-" ? "<stdout>" : $0)" }
                ?? "model not saved:     use -o FILE to keep it")
            printError(lines.joined(separator: "\n"))
            printError(componentTable(model))
        }
        // Warnings last, after the summary and the table.
        var warnings = FitWarnings()
        warnings.checkComponentCount(kCount, rows: incomplete.sampleCount, weights: weights)
        warnings.checkConstantColumns(incomplete.complete ?? incomplete.filled())
        warnings.checkEmptyComponents(model, effectiveSampleSize: result.report.effectiveSampleSize)
        warnings.checkConvergence(result.report.hasConverged, em: fitting.em)
        warnings.print()
    }
}
