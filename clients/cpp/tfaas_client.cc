#include "tfaas_client.h"

#include <curl/curl.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <mutex>
#include <utility>

namespace tfaas {

namespace {

constexpr const char* kUserAgent = "tfaas-cpp-client/1.0 libcurl";
constexpr size_t kMaxQuotedBody = 300;

// libcurl and protobuf are initialised once per process and never torn down, so calls from any thread are safe.
void initialiseLibraries() {
    static std::once_flag once;
    std::call_once(once, [] {
        GOOGLE_PROTOBUF_VERIFY_VERSION;
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw Error(0, "libcurl could not be initialised");
        }
    });
}

// The reply body, capped: returning less than given makes libcurl stop with CURLE_WRITE_ERROR.
struct ReplyBuffer {
    std::string bytes;
    size_t limit;
    bool overflowed = false;
};

size_t appendToReply(char* data, size_t size, size_t count, void* target) {
    auto* reply = static_cast<ReplyBuffer*>(target);
    const size_t n = size * count;
    if (n > reply->limit - reply->bytes.size()) {
        reply->overflowed = true;
        return 0;
    }
    reply->bytes.append(data, n);
    return n;
}

bool startsWith(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// "http://host:8083" and "http://host:8083/" become "http://host:8083/proto"; any other URL is kept.
std::string endpointURL(std::string url) {
    const auto scheme = url.find("://");
    const auto pathStart = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    if (pathStart == std::string::npos) return url + "/proto";
    if (pathStart == url.size() - 1) return url + "proto";
    return url;
}

// The reason in an error reply: the "error" field of a JSON body ({"error": "..."}, as hepml and TFaaS send),
// else the body itself when it is short printable text.
std::string reasonFromBody(const std::string& body) {
    google::protobuf::Struct json;
    if (google::protobuf::util::JsonStringToMessage(body, &json).ok()) {
        const auto& fields = json.fields();
        const auto error = fields.find("error");
        if (error != fields.end() && error->second.kind_case() == google::protobuf::Value::kStringValue) {
            return error->second.string_value();
        }
    }
    if (body.empty()) return "empty reply";
    for (const unsigned char c : body) {
        if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') return "binary reply of " + std::to_string(body.size()) + " bytes";
    }
    return body.size() > kMaxQuotedBody ? body.substr(0, kMaxQuotedBody) + "..." : body;
}

class HeaderList {
public:
    ~HeaderList() { curl_slist_free_all(list_); }
    void add(const std::string& header) {
        curl_slist* grown = curl_slist_append(list_, header.c_str());
        if (grown == nullptr) throw Error(0, "out of memory building the request headers");
        list_ = grown;
    }
    curl_slist* get() const { return list_; }

private:
    curl_slist* list_ = nullptr;
};

}  // namespace

Error::Error(long status, const std::string& message, std::string body)
    : std::runtime_error(status > 0 ? "HTTP " + std::to_string(status) + ": " + message : message),
      status_(status),
      reason_(message),
      body_(std::move(body)) {}

struct Client::Connection {
    CURL* handle = nullptr;
    std::mutex mutex;
    ~Connection() {
        if (handle != nullptr) curl_easy_cleanup(handle);
    }
};

Client::Client(std::string url, Options options)
    : url_(endpointURL(std::move(url))), options_(std::move(options)), connection_(std::make_unique<Connection>()) {
    initialiseLibraries();
    connection_->handle = curl_easy_init();
    if (connection_->handle == nullptr) throw Error(0, "libcurl could not create a connection handle");
}

Client::~Client() = default;

tfaaspb::Predictions Client::predict(const std::string& model, const std::vector<std::string>& attrs,
                                     const std::vector<float>& values) {
    if (!attrs.empty() && attrs.size() != values.size()) {
        throw Error(0, "predict: " + std::to_string(attrs.size()) + " attribute names for " +
                           std::to_string(values.size()) + " values");
    }
    tfaaspb::Row row;
    row.set_model(model);
    for (const auto& a : attrs) row.add_key(a);
    row.mutable_value()->Reserve(static_cast<int>(values.size()));
    for (const float v : values) row.add_value(v);
    return predict(row);
}

tfaaspb::Predictions Client::predict(const tfaaspb::Row& row) {
    std::string request;
    if (!row.SerializeToString(&request)) throw Error(0, "predict: the Row message could not be serialised");

    HeaderList headers;
    headers.add("Content-Type: application/octet-stream");
    headers.add("Accept: application/octet-stream");
    if (!options_.token.empty()) headers.add("Authorization: Bearer " + options_.token);

    ReplyBuffer reply{{}, options_.maxReplyBytes};
    char curlMessage[CURL_ERROR_SIZE] = {0};
    long status = 0;
    std::string contentType;
    {
        std::lock_guard<std::mutex> lock(connection_->mutex);
        CURL* h = connection_->handle;
        curl_easy_reset(h);
        curl_easy_setopt(h, CURLOPT_URL, url_.c_str());
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.size()));
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
        curl_easy_setopt(h, CURLOPT_USERAGENT, kUserAgent);
        curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(h, CURLOPT_POSTREDIR, static_cast<long>(CURL_REDIR_POST_ALL));
        curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, options_.timeoutSeconds);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options_.verifyPeer ? 1L : 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options_.verifyPeer ? 2L : 0L);
        if (!options_.certificate.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, options_.certificate.c_str());
        if (!options_.key.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, options_.key.c_str());
        if (!options_.caPath.empty()) curl_easy_setopt(h, CURLOPT_CAPATH, options_.caPath.c_str());
        if (!options_.caFile.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.caFile.c_str());
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, appendToReply);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &reply);
        curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curlMessage);

        const CURLcode code = curl_easy_perform(h);
        if (reply.overflowed) {
            throw Error(0, url_ + ": the reply is larger than " + std::to_string(options_.maxReplyBytes) + " bytes");
        }
        if (code != CURLE_OK) {
            const std::string detail = curlMessage[0] != 0 ? curlMessage : curl_easy_strerror(code);
            throw Error(0, url_ + ": " + detail);
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        const char* type = nullptr;
        if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != nullptr) contentType = type;
    }

    const std::string& body = reply.bytes;
    if (status < 200 || status > 299) throw Error(status, reasonFromBody(body), body);
    tfaaspb::Predictions predictions;
    // TFaaS and hepml send the message as application/octet-stream (TFaaS sets no type); text is never one.
    const bool textual = startsWith(contentType, "application/json") || startsWith(contentType, "text/");
    if (textual || !predictions.ParseFromString(body)) {
        throw Error(status, "the reply is not a tfaaspb.Predictions message (" + reasonFromBody(body) + ")", body);
    }
    return predictions;
}

tfaaspb::Predictions predict(const std::string& url, const std::string& model,
                             const std::vector<std::string>& attrs, const std::vector<float>& values,
                             const Options& options) {
    Client client(url, options);
    return client.predict(model, attrs, values);
}

}  // namespace tfaas
