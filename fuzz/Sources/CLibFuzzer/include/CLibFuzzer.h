// libFuzzer's public C entry point (compiler-rt's FuzzerInterface.h), declared
// for Swift. The fuzz targets start libFuzzer from their own `@main` rather
// than link libFuzzer's `main`: in a debug build SwiftPM renames a Swift
// executable's entry point (to `fuzz_npy_main`, so that tests can link the
// executable) and links with `--defsym main=fuzz_npy_main`, which fails when
// the module has no entry point of its own.
#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer with its command line, calling `callback` once per input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
