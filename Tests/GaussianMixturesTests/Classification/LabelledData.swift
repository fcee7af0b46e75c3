import Foundation
@testable import GaussianMixtures

/// A labelled CSV of Tests/Fixtures/data: the numeric columns and the text class column.
struct LabelledData {
    let features: DataMatrix
    let labels: [String]
    let classNames: [String]
    /// Per row, the index of its label in `classNames` (sorted, as R's factor levels).
    var classes: [Int] { labels.map { classNames.firstIndex(of: $0)! } }

    init(_ relativePath: String, labelColumn: String) throws {
        let path = repositoryRoot.appendingPathComponent(relativePath).path
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let labelIndex = header.firstIndex(of: labelColumn)!
        let rows = lines.dropFirst().filter { !$0.isEmpty }.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        labels = rows.map { $0[labelIndex] }
        classNames = Array(Set(labels)).sorted()
        let keep = header.indices.filter { $0 != labelIndex }
        features = try DataMatrix(rows: rows.map { r in keep.map { Double(r[$0])! } }, featureNames: keep.map { header[$0] })
    }
}

/// Our family for a fixture's family name (the scikit-learn names mclust's script writes).
func family(_ name: String) -> CovarianceKind { CovarianceKind(rawValue: name)! }

/// The classify.json fixture.
nonisolated(unsafe) let classifyFixture: [String: Any] = {
    let url = repositoryRoot.appendingPathComponent("Tests/Fixtures/mclust/classify.json")
    return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
}()
