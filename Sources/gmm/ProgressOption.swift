import ArgumentParser
import GaussianMixtures
import GaussianMixturesCommandLine

// `--progress` and what every command shows while it works (the drawing and
// its throttle are GaussianMixturesCommandLine's `ProgressMeter`): a bar while
// a text data file is read and while a table is written (convert, predict,
// score, impute, sample, regress, condition), fit's iteration line, a line per
// candidate of select. On a terminal by default; with --progress as plain lines
// when standard error is not one; never with -q.

/// `--progress`.
struct ProgressOption: ParsableArguments {
    @Flag(help: "Progress on standard error even when it is not a terminal (plain lines, for logs; -q: none).")
    var progress = false
}

/// A command that shows progress: the style it chose from its flags.
protocol ShowsProgress {
    var progressStyle: ProgressStyle? { get }
}

/// The progress style of the running command (bound in `GMMCommand.main`).
enum CommandProgress {
    @TaskLocal static var style: ProgressStyle?

    /// A meter in the command's style, `nil` when progress is not shown.
    static func meter() -> ProgressMeter? { style.map(ProgressMeter.init(style:)) }
}

/// Shows the reads of text data files: one meter per read, from its first report to its last.
final class ReadProgressDisplay: @unchecked Sendable {
    // @unchecked: reads report from the thread that parses, one read at a time.
    private let style: ProgressStyle
    private var meter: ProgressMeter?

    init(style: ProgressStyle) { self.style = style }

    func report(_ read: ReadProgress) {
        let meter = self.meter ?? ProgressMeter(style: style)
        self.meter = meter
        let text = ProgressText.line("reading \(read.displayName)", done: read.bytesRead, of: read.byteCount,
                                     detail: "\(ProgressText.bytes(read.bytesRead)) of \(ProgressText.bytes(read.byteCount)), "
                                         + "\(read.rowCount) rows, \(ProgressText.seconds(meter.elapsed))")
        // As lines, a read is one line when done, and a line a second while it runs.
        meter.show(text, force: read.isFinished && style == .lines)
        if read.isFinished {
            meter.finish()
            self.meter = nil
        }
    }
}

/// Shows how far a table being written has come, in rows (`TableStream`).
struct WriteProgress {
    let meter: ProgressMeter
    let label: String
    let total: Int
    private var shownRows = 0

    init?(label: String, total: Int) {
        guard let meter = CommandProgress.meter() else { return nil }
        (self.meter, self.label, self.total) = (meter, label, total)
    }

    /// Reports `rows` written (checked every 4096 rows: cheap when called per row).
    mutating func update(rows: Int) {
        guard rows - shownRows >= 4096 else { return }
        shownRows = rows
        meter.show(text(rows: rows))
    }

    func text(rows: Int) -> String {
        ProgressText.line(label, done: rows, of: total, detail: "\(rows) of \(total) rows, \(ProgressText.seconds(meter.elapsed))")
    }

    /// Ends the display (as lines: a last line with every row).
    func finish(rows: Int) {
        if meter.style == .lines { meter.show(text(rows: rows), force: true) }
        meter.finish()
    }
}
