// Temporary output files are removed when a signal ends the process.
//
// An output is written to a hidden temporary file and renamed into place when
// whole (OutputFile.swift). Ctrl-C (SIGINT), SIGTERM or SIGHUP in the middle of
// a streamed table used to leave that file behind at full size. The paths of the
// temporary files alive are kept in a fixed table of C strings that a signal
// handler can read without allocating or locking (only async-signal-safe calls:
// unlink and _exit); the handler removes them and exits with 128 + the signal
// number, as a shell reports a process ended by it. SIGKILL cannot be caught:
// a `kill -9` can still leave a temporary file (never a partial target file).
//
// A long command (`gmm fit`) can ask for a graceful first SIGINT: the handler
// then only sets a flag (a `sig_atomic_t` store) that the command polls at
// safe points to save its work and exit 130 itself; a second SIGINT takes the
// usual path. A command can also leave lines for the handler to write to
// standard error when a SIGINT ends the process, e.g. that nothing was fitted
// yet, and when a graceful one only asks to stop (`setInterruptMessages`); the
// handler only calls write(2) on them.

#if canImport(Glibc)
import Glibc
#endif

/// The temporary files to remove if a signal ends the process.
public enum TemporaryFiles {
    /// At most this many temporary outputs are protected at once (a command writes one or two).
    static let capacity = 64
    /// NUL-terminated paths, or nil; written by the owning thread, read by the handler.
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let table = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: capacity)
        table.initialize(repeating: nil, count: capacity)
        return table
    }()

    /// Removes the registered temporary files on SIGINT, SIGTERM and SIGHUP, then
    /// exits with 130, 143 or 129. Call once, early, from a command-line program.
    public static func removeOnSignals() {
        _ = slots
        _ = interruptState
        _ = interruptMessages
        // A parent may hand down these signals blocked (test runners and some
        // launchers do): unblock them, or a Ctrl-C would wait forever in the mask.
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&unblocked, signal) }
        pthread_sigmask(SIG_UNBLOCK, &unblocked, nil)
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { signal in
                // A graceful first Ctrl-C only raises the flag; the second one ends the process below.
                if signal == SIGINT && TemporaryFiles.interruptState.pointee == 1 {
                    TemporaryFiles.interruptState.pointee = 2
                    if let line = TemporaryFiles.interruptMessages[1] { _ = write(2, line, strlen(line)) }
                    return
                }
                for i in 0..<TemporaryFiles.capacity {
                    if let path = TemporaryFiles.slots[i] { unlink(path) }
                }
                if signal == SIGINT, let line = TemporaryFiles.interruptMessages[0] {
                    _ = write(2, line, strlen(line))
                }
                _exit(128 + signal)
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
    }

    /// 0: SIGINT ends the process; 1: the next SIGINT only sets 2 (graceful mode);
    /// 2: a graceful stop was asked for. Allocated before the handlers are
    /// installed, so the handler only stores through a pointer (async-signal-safe).
    nonisolated(unsafe) static let interruptState: UnsafeMutablePointer<sig_atomic_t> = {
        let state = UnsafeMutablePointer<sig_atomic_t>.allocate(capacity: 1)
        state.initialize(to: 0)
        return state
    }()

    /// The NUL-terminated lines (newline included) the handler writes to standard error:
    /// [0] when a SIGINT ends the process, [1] when a graceful one asks to stop; nil: none.
    /// Allocated before the handlers are installed.
    nonisolated(unsafe) static let interruptMessages: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: 2)
        slots.initialize(repeating: nil, count: 2)
        return slots
    }()

    /// Sets the lines written to standard error when a SIGINT ends the process at once
    /// (`ending`: outside graceful mode, or the second one in it) and when a graceful first
    /// SIGINT only asks to stop (`stopping`); `nil`: no line.
    public static func setInterruptMessages(ending: String?, stopping: String? = nil) {
        // The previous lines are not freed: the handler may be writing one at this moment.
        interruptMessages[0] = ending.map { strdup($0 + "\n") }
        interruptMessages[1] = stopping.map { strdup($0 + "\n") }
    }

    /// From now on the first SIGINT (Ctrl-C) does not end the process: it only
    /// makes `isInterruptRequested` true, for a long computation to stop at its
    /// next safe point; a second SIGINT removes the temporary files and exits
    /// with 130 as usual. Needs `removeOnSignals()` first.
    public static func stopGracefullyOnFirstInterrupt() {
        if interruptState.pointee == 0 { interruptState.pointee = 1 }
    }

    /// Whether a SIGINT arrived in graceful mode (see `stopGracefullyOnFirstInterrupt()`).
    public static var isInterruptRequested: Bool { interruptState.pointee == 2 }

    /// Protects `path`; returns its slot for `unregister` (nil when the table is full).
    static func register(_ path: String) -> Int? {
        for i in 0..<capacity where slots[i] == nil {
            slots[i] = strdup(path)
            return i
        }
        return nil
    }

    /// Stops protecting the path in `slot` (after it was renamed or removed).
    static func unregister(_ slot: Int?) {
        guard let slot, let path = slots[slot] else { return }
        slots[slot] = nil
        free(path)
    }
}
