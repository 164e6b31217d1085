import GRPCCore
import HEPInference
import HEPJSON

/// gRPC status codes for hepml's errors, as Triton's gRPC frontend answers: bad requests are
/// INVALID_ARGUMENT, unknown models NOT_FOUND, models that cannot serve and full queues UNAVAILABLE,
/// missing credentials UNAUTHENTICATED, refused ones PERMISSION_DENIED.
enum GRPCStatus {
    static func rpcError(_ error: any Error) -> RPCError {
        switch error {
        case let e as RPCError:
            return e
        case let e as InferenceError:
            return RPCError(code: code(httpStatus: e.httpStatus), message: e.description)
        case let e as APIError:
            return RPCError(code: code(httpStatus: Int(e.status.code)), message: e.message)
        case let e as JSONParseError:
            return RPCError(code: .invalidArgument, message: "\(e)")
        default:
            return RPCError(code: .internalError, message: "internal error: \(error)")
        }
    }

    static func code(httpStatus: Int) -> RPCError.Code {
        switch httpStatus {
        case 400, 422: return .invalidArgument
        case 401: return .unauthenticated
        case 403: return .permissionDenied
        case 404: return .notFound
        case 409: return .alreadyExists
        case 413: return .resourceExhausted
        case 501: return .unimplemented
        case 503, 429: return .unavailable
        default: return .internalError
        }
    }

    /// Runs `body`, turning any error into the matching `RPCError`.
    static func mapping<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw rpcError(error) }
    }
}
