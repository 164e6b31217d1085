import Hummingbird

/// Counts requests per HTTP method for `/status`.
struct RequestCountMiddleware<Context: RequestContext>: RouterMiddleware {
    let status: ServerStatus

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        status.count(request.method.rawValue)
        return try await next(request, context)
    }
}
