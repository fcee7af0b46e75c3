#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

// Progress on standard error. On a terminal a line is redrawn in place (a
// carriage return and "erase to end of line" before each drawing), at most ten
// times a second, and cleared (or, for an iteration line, ended) when the work
// is done. With --progress and standard error not a terminal (a log file),
// the same texts are plain lines, at most one a second, the last one always
// written. Never with -q. `printError` erases a line being redrawn before it
// writes, so an error or a warning never lands at the end of a progress bar.

/// How progress is shown.
public enum ProgressStyle: Sendable, Equatable {
    /// Redrawn in place (standard error is a terminal).
    case terminal
    /// Plain lines, no carriage returns (`--progress` when standard error is not a terminal).
    case lines

    /// The style in force: none with -q; in place on a terminal; lines when forced by `--progress`.
    public static func chosen(quiet: Bool, forced: Bool, isTerminal: Bool = isatty(STDERR_FILENO) != 0) -> ProgressStyle? {
        if quiet { return nil }
        if isTerminal { return .terminal }
        return forced ? .lines : nil
    }

    /// The shortest time between two drawings: 0.1 s in place, 1 s as lines.
    public var interval: Duration { self == .terminal ? .milliseconds(100) : .seconds(1) }
}

/// Lets an update through when `interval` has passed since the last one let through (the first always).
public struct ProgressThrottle: Sendable {
    public let interval: Duration
    private var last: ContinuousClock.Instant?

    public init(interval: Duration) { self.interval = interval }

    /// Whether an update at `now` is to be shown; if so, it counts as the last one shown.
    public mutating func isDue(at now: ContinuousClock.Instant) -> Bool {
        if let last, now - last < interval { return false }
        last = now
        return true
    }
}

/// The pieces of progress texts.
public enum ProgressText {
    /// `[#######.............]` with `fraction` (clamped to 0…1) of `width` cells filled.
    public static func bar(_ fraction: Double, width: Int = 20) -> String {
        let filled = Int((min(max(fraction.isNaN ? 0 : fraction, 0), 1) * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
    }

    /// A whole percentage, rounded down (100 % only when done).
    public static func percent(_ done: Int, of total: Int) -> String {
        total <= 0 ? "100%" : "\(Int((Double(done) / Double(total) * 100).rounded(.down)))%"
    }

    /// A byte count in decimal units: `950 B`, `12.3 MB`, `1.5 GB`.
    public static func bytes(_ count: Int) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(count), unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        if unit == 0 { return "\(count) B" }
        let tenths = (value * 10).rounded() / 10
        return (tenths < 100 ? String(tenths) : String(Int(value.rounded()))) + " " + units[unit]
    }

    /// Seconds to one decimal: `0.4 s`, `12.0 s`.
    public static func seconds(_ duration: Duration) -> String {
        let s = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        return String((s * 10).rounded() / 10) + " s"
    }

    /// One line of a long read or write: `LABEL [####......] 45% DETAIL`.
    public static func line(_ label: String, done: Int, of total: Int, detail: String) -> String {
        "\(label) \(bar(total <= 0 ? 1 : Double(done) / Double(total))) \(percent(done, of: total))  \(detail)"
    }
}

/// Whether a line is being redrawn on standard error, so `printError` erases it first.
final class OpenProgressLine: @unchecked Sendable {
    // @unchecked: `isOpen` is used under `lock`.
    static let shared = OpenProgressLine()
    private let lock = NSLock()
    private var isOpen = false

    func set(_ open: Bool) { lock.withLock { isOpen = open } }

    /// Erases the line being redrawn, if any (it is drawn again by its next update).
    func erase() {
        lock.withLock {
            if isOpen { writeStandardError(Array("\r\u{1B}[K".utf8)) }
            isOpen = false
        }
    }
}

/// Writes bytes to standard error, whole.
func writeStandardError(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(STDERR_FILENO, raw.baseAddress! + offset, raw.count - offset)
            if written <= 0 { if errno == EINTR { continue }; return }
            offset += written
        }
    }
}

/// Shows the progress of one piece of work: texts given as it goes, throttled.
public final class ProgressMeter: @unchecked Sendable {
    // @unchecked: `state` is used under `lock`.
    public let style: ProgressStyle
    private let lock = NSLock()
    private var state = State()
    private let clock = ContinuousClock()
    public let started: ContinuousClock.Instant

    private struct State {
        var throttle: ProgressThrottle?
        /// The latest text not shown yet (lines style), written by `finish`.
        var pending: String?
        var hasDrawn = false
    }

    public init(style: ProgressStyle) {
        self.style = style
        started = clock.now
        state.throttle = ProgressThrottle(interval: style.interval)
    }

    /// Time since the meter was made.
    public var elapsed: Duration { clock.now - started }

    /// Shows `text` unless the last drawing was too recent (`force`: show it anyway).
    public func show(_ text: String, force: Bool = false) {
        let now = clock.now
        lock.withLock {
            guard state.throttle!.isDue(at: now) || force else {
                state.pending = text
                return
            }
            state.pending = nil
            state.hasDrawn = true
            draw(text)
        }
    }

    /// Ends the display: in place, erases the line (`keeping`: ends it with a newline so
    /// the last text stays, after drawing any newer one); as lines, writes the last text
    /// if it was held back.
    public func finish(keeping: Bool = false) {
        lock.withLock {
            // A held-back text is drawn if it stays: as a line, or as the kept last line.
            if let pending = state.pending, keeping || style == .lines {
                draw(pending)
                state.hasDrawn = true
                state.pending = nil
            }
            state.pending = nil
            guard style == .terminal, state.hasDrawn else { return }
            writeStandardError(Array((keeping ? "\n" : "\r\u{1B}[K").utf8))
            OpenProgressLine.shared.set(false)
            state.hasDrawn = false
        }
    }

    private func draw(_ text: String) {
        switch style {
        case .terminal:
            writeStandardError(Array(("\r\u{1B}[K" + text).utf8))
            OpenProgressLine.shared.set(true)
        case .lines:
            writeStandardError(Array((text + "\n").utf8))
        }
    }
}
