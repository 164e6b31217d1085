import Hummingbird

/// Holds requests that arrive while the start-up load is running until it has finished, so a client that
/// connects early gets the models rather than 404s. Health and metrics endpoints answer at once.
struct StartupGateMiddleware<Context: RequestContext>: RouterMiddleware {
    let lifecycle: ServerLifecycle

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if lifecycle.phase == .loading, !request.uri.path.hasPrefix("/v2/health"), request.uri.path != "/metrics" {
            try await lifecycle.waitUntilLoaded()
        }
        return try await next(request, context)
    }
}
