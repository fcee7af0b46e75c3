// Which rows a report draws when there are too many to draw them all: the
// rows with the lowest log P(x) (the outliers), the rows whose largest
// P(c|x) is lowest (the uncertain ones), and a seeded uniform sample of the
// rest (reservoir sampling, Vitter's algorithm R). Each keeper holds a fixed
// number of rows, so a pass over 10^6 rows needs memory for the kept rows only.

/// The `capacity` rows with the smallest scores seen so far (ties: the lower row index).
struct LowestRows {
    let capacity: Int
    private(set) var entries: [(score: Double, row: Int)] = []
    /// Where the largest kept score sits, once the keeper is full.
    private var largest = 0

    init(capacity: Int) { self.capacity = max(capacity, 0) }

    mutating func offer(_ score: Double, row: Int) {
        guard capacity > 0 else { return }
        if entries.count < capacity {
            entries.append((score, row))
            if entries.count == capacity { findLargest() }
        } else if score < entries[largest].score {
            // Rows arrive in increasing index order, so an equal score keeps the earlier row.
            entries[largest] = (score, row)
            findLargest()
        }
    }

    private mutating func findLargest() {
        largest = entries.indices.max { a, b in
            (entries[a].score, entries[a].row) < (entries[b].score, entries[b].row)
        } ?? 0
    }

    /// The kept rows, smallest score first.
    var sortedRows: [Int] {
        entries.sorted { ($0.score, $0.row) < ($1.score, $1.row) }.map(\.row)
    }
}

/// A uniform sample of `capacity` rows, the same for the same seed.
struct ReservoirSample {
    let capacity: Int
    private(set) var rows: [Int] = []
    private var seen = 0
    private var state: UInt64

    init(capacity: Int, seed: UInt64) {
        self.capacity = max(capacity, 0)
        state = seed &+ 0x9E37_79B9_7F4A_7C15
    }

    mutating func offer(row: Int) {
        seen += 1
        if rows.count < capacity {
            rows.append(row)
        } else if capacity > 0 {
            let j = Int(next() % UInt64(seen))
            if j < capacity { rows[j] = row }
        }
    }

    /// SplitMix64: small, fast and good enough to pick rows (not for statistics).
    private mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
