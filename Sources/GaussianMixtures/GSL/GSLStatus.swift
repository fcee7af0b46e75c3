internal import CGSL

/// A GSL status code other than success, with GSL's own description.
///
/// Never leaves the library: callers one layer up turn it into a domain
/// error ("component 3's covariance is not positive definite").
struct GSLStatus: Error, Equatable, CustomStringConvertible {
    let code: Int32

    /// `GSL_EDOM`: input domain error; Cholesky's "matrix is not positive definite".
    static let domain = GSLStatus(code: Int32(GSL_EDOM))
    /// `GSL_EBADLEN`: matrix or vector lengths do not conform.
    static let badLength = GSLStatus(code: Int32(GSL_EBADLEN))
    /// `GSL_ENOMEM`: allocation failed.
    static let noMemory = GSLStatus(code: Int32(GSL_ENOMEM))

    var description: String { String(cString: gsl_strerror(code)) }

    static func check(_ status: Int32) throws(GSLStatus) {
        if status != Int32(GSL_SUCCESS) { throw GSLStatus(code: status) }
    }
}
