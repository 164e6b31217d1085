import HEPInference
import Hummingbird

/// An error answered as `{"error": "..."}` with an HTTP status (KServe, Triton and TFaaS all use this shape).
public struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public init(_ error: InferenceError) {
        self.init(HTTPResponse.Status(code: error.httpStatus), error.description)
    }

    public var description: String { message }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        JSONBody.response(status: status, json: #"{"error":"# + JSONBody.quote(message) + "}")
    }

    static func badRequest(_ m: String) -> APIError { APIError(.badRequest, m) }
}

/// Maps thrown errors to JSON error responses (InferenceError by class, anything unexpected as 500).
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let e as InferenceError {
            throw APIError(e)
        } catch let e as APIError {
            throw e
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
