// gmm-mpi under mpirun with 1, 2 and 3 ranks (3 oversubscribes a 2-core
// machine) against the single-process gmm on the same data:
//
// - fit: for every covariance family, from the same seed (the ranks gather all
//   rows for the k-means start, since n ≤ --init-sample), the model file equals
//   gmm's to 1e-12 relative in every number, with the same iteration count;
//   also from --init-model, and with the rows in shard files;
// - fit with frequency weights: --sample-weights (CSV and .npy) and
//   --weight-column (a shared .npy, CSV shards) give gmm fit's model with
//   the same options to 1e-12 relative; a negative weight makes every rank
//   exit 65 with gmm's message (file and line), and no model file;
// - predict and score: --gather gives gmm's table byte for byte; the per-rank
//   files, concatenated without their headers, give the same rows;
// - failure: a missing shard or a truncated slice makes every rank exit with
//   the same status (66, 65), one error line, and no model file.

import Foundation
import GaussianMixtures
import Testing

/// 1001 rows of 3 features from a three-component mixture (seeded).
private func sampleData() throws -> DataMatrix {
    let truth = try GaussianMixture(
        weights: [0.4, 0.35, 0.25],
        means: [[0, 0, 0], [5, 5, 0], [0, 6, 3]],
        covariances: .full([
            [[1, 0.3, 0], [0.3, 1, 0.2], [0, 0.2, 1]],
            [[1, 0, 0], [0, 4, 0.5], [0, 0.5, 0.25]],
            [[0.5, 0.1, 0.1], [0.1, 0.5, 0], [0.1, 0, 0.5]],
        ]))
    return truth.sample(count: 1001, seed: 7).samples
}

/// A frequency weight for every row of `sampleData()`: the integers 0…3, not in any pattern EM could ignore.
private func sampleWeights(_ n: Int) -> [Double] { (0..<n).map { Double(($0 * 7 + $0 / 13) % 4) } }

/// `data` with `weights` inserted as column `at` (named `w`; the others keep their names).
private func withWeightColumn(_ data: DataMatrix, _ weights: [Double], at column: Int) throws -> DataMatrix {
    let d = data.featureCount
    var values: [Double] = []
    data.withUnsafeBufferPointer { x in
        for i in 0..<data.sampleCount {
            values += x[(i * d)..<(i * d + column)]
            values.append(weights[i])
            values += x[(i * d + column)..<((i + 1) * d)]
        }
    }
    var names = data.featureNames
    names.insert("w", at: column)
    return try DataMatrix(values: values, sampleCount: data.sampleCount, featureCount: d + 1, featureNames: names)
}

/// `data` as CSV with a header, every number in shortest round-trip form (so read back exactly).
private func csv(_ data: DataMatrix) -> String {
    let d = data.featureCount
    var text = data.featureNames.joined(separator: ",") + "\n"
    data.withUnsafeBufferPointer { x in
        for i in 0..<data.sampleCount { text += x[(i * d)..<((i + 1) * d)].map { "\($0)" }.joined(separator: ",") + "\n" }
    }
    return text
}

@Suite("gmm-mpi against gmm", .serialized)
struct DistributedCommandTests {
    @Test("fit: every family, 1–3 ranks, same model as gmm fit to 1e-12", arguments: CovarianceKind.allCases)
    func fitMatchesSingleProcess(kind: CovarianceKind) throws {
        let box = try Sandbox()
        try box.writeNumpy(try sampleData(), to: "data.npy")
        let single = try box.gmm(["fit", "data.npy", "-k", "3", "--covariance", kind.rawValue, "-q", "-o", "single.json"])
        #expect(single.status == 0, "\(single.stderr)")
        for ranks in 1...3 {
            let run = try box.mpi(ranks, ["fit", "data.npy", "-k", "3", "--covariance", kind.rawValue, "-q", "-o", "mpi\(ranks).json"])
            #expect(run.status == 0, "\(ranks) ranks: \(run.stderr)")
            let difference = firstDifference(try json(box, "single.json"), try json(box, "mpi\(ranks).json"), tolerance: 1e-12)
            #expect(difference == nil, "\(kind.rawValue), \(ranks) ranks: \(difference ?? "")")
        }
    }

    @Test("fit --labels FILE (semi-supervised), 1–3 ranks: gmm fit --labels's model to 1e-12, labels in the file",
          arguments: [CovarianceKind.full, .diagonal])
    func labelsMatchSingleProcess(kind: CovarianceKind) throws {
        let box = try Sandbox()
        let draw = try GaussianMixture(
            weights: [0.4, 0.35, 0.25], means: [[0, 0, 0], [5, 5, 0], [0, 6, 3]],
            covariances: .spherical([1, 1, 0.5])).sample(count: 1001, seed: 7)
        try box.writeNumpy(draw.samples, to: "data.npy")
        // Every 20th row of the first two components labelled: a third component without labels.
        let labels = (0..<1001).map { i in i % 20 == 0 && draw.components[i] < 2 ? "class \(draw.components[i])" : "" }
        try labels.joined(separator: "\n").appending("\n").write(toFile: box.path("labels.txt"), atomically: true, encoding: .utf8)
        let arguments = ["fit", "data.npy", "--labels", "labels.txt", "-k", "3", "--covariance", kind.rawValue, "-q"]
        let single = try box.gmm(arguments + ["-o", "single.json"])
        #expect(single.status == 0, "\(single.stderr)")
        #expect(try box.read("single.json").contains("\"component_labels\": [\"class 0\", \"class 1\", null]"))
        for ranks in 1...3 {
            let run = try box.mpi(ranks, arguments + ["-o", "mpi\(ranks).json"])
            #expect(run.status == 0, "\(ranks) ranks: \(run.stderr)")
            let difference = firstDifference(try json(box, "single.json"), try json(box, "mpi\(ranks).json"), tolerance: 1e-12)
            #expect(difference == nil, "\(kind.rawValue), \(ranks) ranks: \(difference ?? "")")
        }
        let short = try box.mpi(2, ["fit", "data.npy", "--labels", "labels.txt", "-k", "1", "-q"])
        #expect(short.status == 64, "\(short.stderr)")
    }

    @Test("fit --checkpoint, stopped after iteration k and resumed on 2 ranks: the uninterrupted job's model file, byte for byte")
    func checkpointAndResume() throws {
        let box = try Sandbox()
        try box.writeNumpy(try sampleData(), to: "data.npy")
        let fit = ["fit", "data.npy", "-k", "3", "--tol", "1e-9", "-q"]
        let whole = try box.mpi(2, fit + ["-o", "whole.json"])
        #expect(whole.status == 0, "\(whole.stderr)")
        for k in [1, 3] {
            let part = try box.mpi(2, fit + ["--max-iter", "\(k)", "--checkpoint", "c.json", "--checkpoint-every", "1"])
            #expect(part.status == 0, "\(part.stderr)")
            let resumed = try box.mpi(2, fit + ["--resume", "c.json", "-o", "resumed.json"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect(try box.read("resumed.json") == box.read("whole.json"), "resumed after iteration \(k)")
        }
        let other = try box.mpi(2, fit + ["-k", "4", "--resume", "c.json"])
        #expect(other.status == 64 && other.stderr.contains("-k"), "\(other.stderr)")
    }

    @Test("fit --checkpoint on 2 ranks after iteration k, resumed on 1 or 3 ranks: the uninterrupted model (2 ranks, gmm fit) to 1e-12",
          arguments: CovarianceKind.allCases)
    func resumeOnOtherRankCounts(kind: CovarianceKind) throws {
        let box = try Sandbox()
        try box.writeNumpy(try sampleData(), to: "data.npy")
        let fit = ["fit", "data.npy", "-k", "3", "--covariance", kind.rawValue, "--tol", "1e-9", "-q"]
        let single = try box.gmm(fit + ["-o", "single.json"])
        #expect(single.status == 0, "\(single.stderr)")
        let whole = try box.mpi(2, fit + ["-o", "whole.json"])
        #expect(whole.status == 0, "\(whole.stderr)")
        for k in [1, 3] {
            let part = try box.mpi(2, fit + ["--max-iter", "\(k)", "--checkpoint", "c\(k).json", "--checkpoint-every", "1"])
            #expect(part.status == 0, "\(part.stderr)")
            for ranks in [1, 3] {
                let resumed = try box.mpi(ranks, fit + ["--resume", "c\(k).json", "-o", "resumed.json"])
                #expect(resumed.status == 0, "\(resumed.stderr)")
                for reference in ["whole.json", "single.json"] {
                    let difference = firstDifference(try json(box, reference), try json(box, "resumed.json"), tolerance: 1e-12)
                    #expect(difference == nil, "after iteration \(k), on \(ranks) ranks, against \(reference): \(difference ?? "")")
                }
            }
        }
        // Other data is still refused, on any number of ranks.
        let data = try sampleData()
        var rows = (0..<data.sampleCount).map { data.row($0) }
        rows[0][0] += 1
        try box.writeNumpy(try DataMatrix(rows: rows, featureNames: data.featureNames), to: "other.npy")
        var changed = fit
        changed[1] = "other.npy"
        let refused = try box.mpi(3, changed + ["--resume", "c1.json"])
        #expect(refused.status == 64 && refused.stderr.contains("fingerprint"), "\(refused.stderr)")
    }

    @Test("fit --sample-weights --checkpoint on 2 ranks, resumed on 1 or 3 ranks: the uninterrupted model to 1e-12; other weights are refused")
    func weightedResumeOnOtherRankCounts() throws {
        let box = try Sandbox()
        let data = try sampleData()
        var weights = sampleWeights(data.sampleCount)
        try box.writeNumpy(data, to: "data.npy")
        try ("w\n" + weights.map { "\($0)\n" }.joined()).write(toFile: box.path("w.csv"), atomically: true, encoding: .utf8)
        let fit = ["fit", "data.npy", "-k", "3", "--sample-weights", "w.csv", "--tol", "1e-9", "-q"]
        let whole = try box.mpi(2, fit + ["-o", "whole.json"])
        #expect(whole.status == 0, "\(whole.stderr)")
        let part = try box.mpi(2, fit + ["--max-iter", "2", "--checkpoint", "c.json", "--checkpoint-every", "1"])
        #expect(part.status == 0, "\(part.stderr)")
        for ranks in [1, 3] {
            let resumed = try box.mpi(ranks, fit + ["--resume", "c.json", "-o", "resumed.json"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            let difference = firstDifference(try json(box, "whole.json"), try json(box, "resumed.json"), tolerance: 1e-12)
            #expect(difference == nil, "\(ranks) ranks: \(difference ?? "")")
        }
        // Another weight changes the fingerprint, whatever the number of ranks.
        weights[1] += 1
        try ("w\n" + weights.map { "\($0)\n" }.joined()).write(toFile: box.path("w.csv"), atomically: true, encoding: .utf8)
        let refused = try box.mpi(3, fit + ["--resume", "c.json"])
        #expect(refused.status == 64 && refused.stderr.contains("fingerprint"), "\(refused.stderr)")
    }

    @Test("fit from --init-model over shard files equals gmm fit --init-model")
    func initModelAndShards() throws {
        let box = try Sandbox()
        let data = try sampleData()
        try box.writeNumpy(data, to: "data.npy")
        try box.writeNumpy(data.rows(0..<250), to: "part-0.npy")
        try box.writeNumpy(data.rows(250..<700), to: "part-1.npy")
        try box.writeNumpy(data.rows(700..<1001), to: "part-2.npy")
        #expect(try box.gmm(["fit", "data.npy", "-k", "3", "--init", "random", "--max-iter", "0", "-q", "-o", "start.json"]).status == 0)
        let single = try box.gmm(["fit", "data.npy", "--init-model", "start.json", "--tol", "0", "--max-iter", "20", "-q",
                                  "-o", "single.json"])
        #expect(single.status == 0, "\(single.stderr)")
        for ranks in [2, 3] {
            let run = try box.mpi(ranks, ["fit", "--shards", "part-*.npy", "--init-model", "start.json", "--tol", "0",
                                          "--max-iter", "20", "-q", "-o", "mpi.json"])
            #expect(run.status == 0, "\(run.stderr)")
            let difference = firstDifference(try json(box, "single.json"), try json(box, "mpi.json"), tolerance: 1e-12)
            #expect(difference == nil, "\(ranks) ranks: \(difference ?? "")")
        }
    }

    @Test("a sampled start (n > --init-sample) is the same whatever the number of ranks")
    func sampledStart() throws {
        let box = try Sandbox()
        try box.writeNumpy(try sampleData(), to: "data.npy")
        for ranks in 1...3 {
            let run = try box.mpi(ranks, ["fit", "data.npy", "-k", "3", "--init-sample", "150", "--seed", "4", "-q",
                                          "-o", "mpi\(ranks).json"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        for ranks in 2...3 {
            let difference = firstDifference(try json(box, "mpi1.json"), try json(box, "mpi\(ranks).json"), tolerance: 1e-12)
            #expect(difference == nil, "\(ranks) ranks: \(difference ?? "")")
        }
    }

    @Test("fit --sample-weights (CSV, .npy), 1–3 ranks: gmm fit --sample-weights's model to 1e-12")
    func sampleWeightsMatchSingleProcess() throws {
        let box = try Sandbox()
        let data = try sampleData()
        let weights = sampleWeights(data.sampleCount)
        try box.writeNumpy(data, to: "data.npy")
        try ("w\n" + weights.map { "\($0)\n" }.joined()).write(toFile: box.path("w.csv"), atomically: true, encoding: .utf8)
        try box.writeNumpy(try DataMatrix(values: weights, sampleCount: weights.count, featureCount: 1), to: "w.npy")
        let single = try box.gmm(["fit", "data.npy", "-k", "3", "--sample-weights", "w.csv", "-q", "-o", "single.json"])
        #expect(single.status == 0, "\(single.stderr)")
        // The weights matter: without them the model is another one.
        #expect(try box.gmm(["fit", "data.npy", "-k", "3", "-q", "-o", "unweighted.json"]).status == 0)
        #expect(firstDifference(try json(box, "single.json"), try json(box, "unweighted.json"), tolerance: 1e-6) != nil)
        for ranks in 1...3 {
            for file in ["w.csv", "w.npy"] {
                let run = try box.mpi(ranks, ["fit", "data.npy", "-k", "3", "--sample-weights", file, "-q", "-o", "mpi.json"])
                #expect(run.status == 0, "\(ranks) ranks, \(file): \(run.stderr)")
                let difference = firstDifference(try json(box, "single.json"), try json(box, "mpi.json"), tolerance: 1e-12)
                #expect(difference == nil, "\(ranks) ranks, \(file): \(difference ?? "")")
            }
        }
        // From --init-model the weights are used alike.
        #expect(try box.gmm(["fit", "data.npy", "-k", "3", "--init", "random", "--max-iter", "0", "-q", "-o", "start.json"]).status == 0)
        let fromStart = try box.gmm(["fit", "data.npy", "--init-model", "start.json", "--sample-weights", "w.csv", "-q",
                                     "-o", "single-start.json"])
        #expect(fromStart.status == 0, "\(fromStart.stderr)")
        let run = try box.mpi(3, ["fit", "data.npy", "--init-model", "start.json", "--sample-weights", "w.csv", "-q",
                                  "-o", "mpi-start.json"])
        #expect(run.status == 0, "\(run.stderr)")
        let difference = firstDifference(try json(box, "single-start.json"), try json(box, "mpi-start.json"), tolerance: 1e-12)
        #expect(difference == nil, "--init-model: \(difference ?? "")")
    }

    @Test("fit --weight-column (a shared .npy, CSV shards), 1–3 ranks: gmm fit --weight-column's model to 1e-12")
    func weightColumnMatchesSingleProcess() throws {
        let box = try Sandbox()
        let data = try sampleData()
        let weighted = try withWeightColumn(data, sampleWeights(data.sampleCount), at: 2)
        try box.writeNumpy(weighted, to: "data.npy")
        try csv(weighted).write(toFile: box.path("data.csv"), atomically: true, encoding: .utf8)
        for (i, rows) in [0..<250, 250..<700, 700..<1001].enumerated() {
            try csv(weighted.rows(rows)).write(toFile: box.path("part-\(i).csv"), atomically: true, encoding: .utf8)
        }
        let single = try box.gmm(["fit", "data.npy", "-k", "3", "--weight-column", "x2", "-q", "-o", "single.json"])
        #expect(single.status == 0, "\(single.stderr)")
        let singleCSV = try box.gmm(["fit", "data.csv", "-k", "3", "--weight-column", "w", "-q", "-o", "single-csv.json"])
        #expect(singleCSV.status == 0, "\(singleCSV.stderr)")
        for ranks in 1...3 {
            let run = try box.mpi(ranks, ["fit", "data.npy", "-k", "3", "--weight-column", "2", "-q", "-o", "mpi.json"])
            #expect(run.status == 0, "\(ranks) ranks: \(run.stderr)")
            var difference = firstDifference(try json(box, "single.json"), try json(box, "mpi.json"), tolerance: 1e-12)
            #expect(difference == nil, "\(ranks) ranks, data.npy: \(difference ?? "")")
            let shards = try box.mpi(ranks, ["fit", "--shards", "part-*.csv", "-k", "3", "--weight-column", "w", "-q",
                                             "-o", "mpi-csv.json"])
            #expect(shards.status == 0, "\(ranks) ranks: \(shards.stderr)")
            difference = firstDifference(try json(box, "single-csv.json"), try json(box, "mpi-csv.json"), tolerance: 1e-12)
            #expect(difference == nil, "\(ranks) ranks, shards: \(difference ?? "")")
        }
    }

    @Test("a negative weight: every rank exits 65 with gmm's message (file and line), no model file")
    func negativeWeight() throws {
        let box = try Sandbox()
        let data = try sampleData()
        var weights = sampleWeights(data.sampleCount)
        weights[700] = -2
        try box.writeNumpy(data, to: "data.npy")
        try ("w\n" + weights.map { "\($0)\n" }.joined()).write(toFile: box.path("w.csv"), atomically: true, encoding: .utf8)
        let single = try box.gmm(["fit", "data.npy", "-k", "3", "--sample-weights", "w.csv", "-o", "model.json"])
        #expect(single.status == 65)
        #expect(single.stderr == "gmm: error: w.csv:702: weight must be non-negative, found -2.0\n")
        for ranks in 1...3 {
            let (run, statuses) = try box.statusesOfEveryRank(ranks, ["fit", "data.npy", "-k", "3", "--sample-weights", "w.csv",
                                                                      "-o", "model.json"])
            #expect(statuses == Array(repeating: 65, count: ranks), "\(run.stderr)")
            let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("gmm-mpi:") }
            #expect(errors == ["gmm-mpi: error: w.csv:702: weight must be non-negative, found -2.0"], "\(ranks) ranks")
            #expect(!box.exists("model.json"))
        }
        // In a weight column of the second shard: that shard's file and line.
        let weighted = try withWeightColumn(data, weights, at: 0)
        try csv(weighted.rows(0..<500)).write(toFile: box.path("part-0.csv"), atomically: true, encoding: .utf8)
        try csv(weighted.rows(500..<1001)).write(toFile: box.path("part-1.csv"), atomically: true, encoding: .utf8)
        let (run, statuses) = try box.statusesOfEveryRank(2, ["fit", "--shards", "part-0.csv,part-1.csv", "-k", "3",
                                                              "--weight-column", "w", "-o", "model.json"])
        #expect(statuses == [65, 65], "\(run.stderr)")
        let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("gmm-mpi:") }
        #expect(errors == ["gmm-mpi: error: part-1.csv:202: weight column \"w\" must be non-negative, found -2.0"])
        #expect(!box.exists("model.json"))
    }

    @Test("predict and score: gathered tables are gmm's bytes; per-rank files hold the same rows")
    func predictAndScore() throws {
        let box = try Sandbox()
        try box.writeNumpy(try sampleData(), to: "data.npy")
        #expect(try box.gmm(["fit", "data.npy", "-k", "3", "-q", "-o", "model.json"]).status == 0)
        for command in [["predict"], ["predict", "--probabilities"], ["predict", "--probabilities", "--log"], ["score"]] {
            let expected = try box.gmm(command + ["model.json", "data.npy"]).stdout
            #expect(!expected.isEmpty)
            let gathered = try box.mpi(3, command + ["model.json", "data.npy", "--gather"])
            #expect(gathered.status == 0, "\(gathered.stderr)")
            #expect(gathered.stdout == expected, "\(command.joined(separator: " ")) --gather differs from gmm")
            let split = try box.mpi(2, command + ["model.json", "data.npy", "-o", "out.csv"])
            #expect(split.status == 0, "\(split.stderr)")
            let parts = try (0..<2).map { try box.read("out-\($0).csv") }
            let header = expected.prefix { $0 != "\n" }
            #expect(parts.allSatisfy { $0.hasPrefix(header + "\n") })
            let joined = parts[0] + parts[1].drop { $0 != "\n" }.dropFirst()
            #expect(joined == expected, "\(command.joined(separator: " ")) per-rank files differ from gmm")
        }
    }

    @Test("a missing shard: every rank exits 66, one error line, no model file")
    func missingShard() throws {
        let box = try Sandbox()
        let data = try sampleData()
        try box.writeNumpy(data.rows(0..<500), to: "part-0.npy")
        try box.writeNumpy(data.rows(500..<1001), to: "part-2.npy")
        let (run, statuses) = try box.statusesOfEveryRank(3, ["fit", "--shards", "part-0.npy,part-1.npy,part-2.npy", "-k", "2",
                                                              "-o", "model.json"])
        #expect(statuses == [66, 66, 66], "\(run.stderr)")
        let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("gmm-mpi:") }
        #expect(errors == ["gmm-mpi: error: rank 1: part-1.npy: cannot open: No such file or directory"])
        #expect(!box.exists("model.json"))
    }

    @Test("a slice past the end of a truncated file: every rank exits 65, no model file")
    func truncatedSlice() throws {
        let box = try Sandbox()
        try box.writeNumpy(try sampleData(), to: "data.npy")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: box.path("data.npy")))
        try bytes.prefix(bytes.count - 80).write(to: URL(fileURLWithPath: box.path("short.npy")))
        let (run, statuses) = try box.statusesOfEveryRank(3, ["fit", "short.npy", "-k", "2", "-o", "model.json"])
        #expect(statuses == [65, 65, 65], "\(run.stderr)")
        #expect(run.stderr.contains("gmm-mpi: error: rank 2: short.npy: truncated"))
        #expect(!box.exists("model.json"))
    }

    @Test("CSV shards whose columns differ: every rank exits 65")
    func shardColumnsDiffer() throws {
        let box = try Sandbox()
        try "a,b\n1,2\n3,4\n5,7\n".write(toFile: box.path("s0.csv"), atomically: true, encoding: .utf8)
        try "a,c\n1,2\n3,5\n".write(toFile: box.path("s1.csv"), atomically: true, encoding: .utf8)
        let (run, statuses) = try box.statusesOfEveryRank(2, ["fit", "--shards", "s*.csv", "-o", "model.json"])
        #expect(statuses == [65, 65], "\(run.stderr)")
        #expect(run.stderr.contains("every shard needs the same columns"))
        #expect(!box.exists("model.json"))
    }

    @Test("usage errors are exit 64 on every rank: an option gmm-mpi does not take, DATA that is not .npy, --sample-weights with --shards or --weight-column")
    func usage() throws {
        let box = try Sandbox()
        try box.writeNumpy(try sampleData(), to: "data.npy")
        let (_, unknown) = try box.statusesOfEveryRank(2, ["fit", "data.npy", "--method", "variational"])
        #expect(unknown == [64, 64])
        let (_, csv) = try box.statusesOfEveryRank(2, ["fit", "data.csv", "-k", "2"])
        #expect(csv == [64, 64])
        let (run, shards) = try box.statusesOfEveryRank(2, ["fit", "--shards", "data.npy", "--sample-weights", "w.csv"])
        #expect(shards == [64, 64])
        #expect(run.stderr.contains("--sample-weights cannot be used with --shards"))
        let (_, both) = try box.statusesOfEveryRank(2, ["fit", "data.npy", "--sample-weights", "w.csv", "--weight-column", "x0"])
        #expect(both == [64, 64])
    }
}
