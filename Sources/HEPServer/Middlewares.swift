import Hummingbird

/// Counts requests per HTTP method for `/status`.
struct RequestCountMiddleware<Context: RequestContext>: RouterMiddleware {
    let status: ServerStatus

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        status.count(request.method.rawValue)
        return try await next(request, context)
    }
}

/// Refuses a body announced (`Content-Length`) larger than the endpoint's limit with 413 before reading it,
/// and gives each request a lease on the in-flight memory budget, returned when the request ends.
struct RequestLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let state: ServerState

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let limit = state.bodyLimit(for: request.uri.path)
        if let announced = request.headers[.contentLength].flatMap({ Int($0) }), announced > limit {
            throw APIError(.contentTooLarge, "request body of \(announced) bytes is larger than the \(limit) bytes this endpoint accepts",
                           headers: [.connection: "close"])
        }
        let lease = BudgetLease(budget: state.budget)
        defer { lease.releaseAll() }
        return try await BudgetLease.$current.withValue(lease) { try await next(request, context) }
    }
}
