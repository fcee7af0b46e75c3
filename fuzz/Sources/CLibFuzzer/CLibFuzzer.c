// Intentionally empty: a C target needs a source file; the header is the point.
