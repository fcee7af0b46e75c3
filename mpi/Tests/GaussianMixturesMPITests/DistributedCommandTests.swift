// gmm-mpi under mpirun with 1, 2 and 3 ranks (3 oversubscribes a 2-core
// machine) against the single-process gmm on the same data:
//
// - fit: for every covariance family, from the same seed (the ranks gather all
//   rows for the k-means start, since n ≤ --init-sample), the model file equals
//   gmm's to 1e-12 relative in every number, with the same iteration count;
//   also from --init-model, and with the rows in shard files;
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

    @Test("usage errors are exit 64 on every rank: an option gmm-mpi does not take, DATA that is not .npy")
    func usage() throws {
        let box = try Sandbox()
        try box.writeNumpy(try sampleData(), to: "data.npy")
        let (_, unknown) = try box.statusesOfEveryRank(2, ["fit", "data.npy", "--sample-weights", "w.csv"])
        #expect(unknown == [64, 64])
        let (_, csv) = try box.statusesOfEveryRank(2, ["fit", "data.csv", "-k", "2"])
        #expect(csv == [64, 64])
    }
}
