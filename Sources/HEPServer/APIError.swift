import HEPInference
import HEPJSON
import Hummingbird

/// An error answered as `{"error": "..."}` with an HTTP status (KServe, Triton and TFaaS all use this shape).
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// Extra response headers (e.g. `Retry-After` on 503).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public init(_ error: InferenceError) {
        self.init(HTTPResponse.Status(code: error.httpStatus), error.description)
    }

    public var description: String { message }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var r = JSONBody.response(status: status, body: ErrorBody(error: message))
        r.headers.append(contentsOf: headers)
        if status == .unauthorized, r.headers[.wwwAuthenticate] == nil {
            // RFC 6750 §3: a 401 names the scheme the client must use.
            r.headers[.wwwAuthenticate] = "Bearer realm=\"hepml\""
        }
        return r
    }

    static func badRequest(_ m: String) -> APIError { APIError(.badRequest, m) }

    /// 503 with `Retry-After`, for a request refused by a temporary limit.
    static func busy(_ m: String, retryAfterSeconds: Int = 1) -> APIError {
        APIError(.serviceUnavailable, m, headers: [.retryAfter: String(retryAfterSeconds)])
    }
}

/// Maps thrown errors to JSON error responses (InferenceError by class, request JSON errors as 400,
/// anything unexpected as 500).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as InferenceError {
            throw APIError(e)
        } catch let e as APIError {
            throw e
        } catch let e as JSONParseError {
            throw APIError.badRequest("\(e)")
        } catch let e as JSONRequestError {
            throw APIError.badRequest(e.message)
        } catch let e as HTTPError {
            throw APIError(e.status, e.body ?? e.status.reasonPhrase)
        } catch let e as any HTTPResponseError {
            throw APIError(e.status, "\(e)")
        } catch {
            context.logger.error("unexpected error: \(error)")
            throw APIError(.internalServerError, "internal error: \(error)")
        }
    }
}
