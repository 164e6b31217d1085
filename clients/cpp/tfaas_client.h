// A small C++ client for the TFaaS protobuf API (POST /proto) of hepml serve or a TFaaS server.
//
// One call sends one sample (a tfaaspb::Row) and returns the model's answer (tfaaspb::Predictions), one
// Class {label, probability} per output value, in the model's class order. Failures throw tfaas::Error with
// the HTTP status and the server's error message.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tfaas.pb.h"

namespace tfaas {

/// Connection settings. Every field is optional.
struct Options {
    /// Sent as "Authorization: Bearer <token>" when not empty.
    std::string token;
    /// Whole-request timeout in seconds (0: none).
    long timeoutSeconds = 60;
    /// Client certificate and key (PEM) for HTTPS servers that ask for one, e.g. a grid proxy file.
    std::string certificate;
    std::string key;
    /// Directory of CA certificates (e.g. /etc/grid-security/certificates) and/or a PEM bundle file;
    /// both empty: the system's CAs.
    std::string caPath;
    std::string caFile;
    /// Verify the server's certificate and host name (HTTPS).
    bool verifyPeer = true;
    /// Largest reply accepted, in bytes; a longer one fails the call.
    size_t maxReplyBytes = 64u << 20;
};

/// A failed call: the HTTP status (0 when no HTTP answer arrived: bad URL, connection refused, timeout,
/// invalid arguments or an unreadable reply) and the reason, taken from the server's {"error": ...} body.
class Error : public std::runtime_error {
public:
    Error(long status, const std::string& message, std::string body = {});
    /// HTTP status of the reply, 0 if there was none.
    long status() const noexcept { return status_; }
    /// The server's message (or the transport error) without the status prefix.
    const std::string& reason() const noexcept { return reason_; }
    /// The raw reply body (empty when there was none).
    const std::string& body() const noexcept { return body_; }

private:
    long status_;
    std::string reason_;
    std::string body_;
};

/// A client bound to one endpoint URL, e.g. "http://localhost:8083/proto" (a URL without a path gets
/// "/proto" appended). It keeps its connection open between calls; calls from several threads are
/// serialised. Use one Client per thread for parallel requests.
class Client {
public:
    explicit Client(std::string url, Options options = {});
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// Runs `values` through `model` (empty: the server's default model). `attrs` are the feature names;
    /// they may be empty, otherwise they must be as many as the values.
    tfaaspb::Predictions predict(const std::string& model, const std::vector<std::string>& attrs,
                                 const std::vector<float>& values);

    /// Sends an already filled Row.
    tfaaspb::Predictions predict(const tfaaspb::Row& row);

    const std::string& url() const noexcept { return url_; }

private:
    struct Connection;
    std::string url_;
    Options options_;
    std::unique_ptr<Connection> connection_;
};

/// One-shot form of Client::predict, as in TFaaS's C++ client: predict(url, model, attrs, values).
tfaaspb::Predictions predict(const std::string& url, const std::string& model,
                             const std::vector<std::string>& attrs, const std::vector<float>& values,
                             const Options& options = {});

}  // namespace tfaas
