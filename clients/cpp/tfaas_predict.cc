// tfaas_predict: sends one sample to a TFaaS /proto endpoint and prints one line per class,
// "class: <label> value: <probability>" (the class index stands in for a missing label).
//
//   tfaas_predict [--url URL] [--model NAME] [--token TOKEN] [--cacert FILE] [--keys K1,K2,...] [--input FILE]
//                 [VALUE ...]
//
// Without values it sends 42 values 0, 1, ..., 41 named "0".."41", like TFaaS's C++ client example.
// The token defaults to $HEPML_TOKEN or $TFAAS_TOKEN; $X509_USER_PROXY, when set, is sent as the client
// certificate and key, and $X509_CERT_DIR as the CA directory (HTTPS).
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "tfaas_client.h"

namespace {

constexpr int kUsageError = 2;
constexpr int kDefaultFeatureCount = 42;

void usage(std::ostream& out) {
    out << "usage: tfaas_predict [--url URL] [--model NAME] [--token TOKEN] [--cacert FILE] [--keys K1,K2,...]\n"
           "                     [--input FILE] [VALUE ...]\n"
           "  --url    endpoint (default http://localhost:8083/proto)\n"
           "  --model  model name (default: the server's default model)\n"
           "  --token  bearer token (default $HEPML_TOKEN or $TFAAS_TOKEN)\n"
           "  --cacert PEM file of CA certificates for HTTPS (default: $X509_CERT_DIR, else the system's)\n"
           "  --keys   comma-separated feature names\n"
           "  --input  file of values separated by spaces, commas or new lines\n"
           "  without values: 42 values 0..41, as TFaaS's C++ example\n";
}

std::vector<std::string> splitCommas(const std::string& text) {
    std::vector<std::string> parts;
    std::stringstream in(text);
    for (std::string part; std::getline(in, part, ',');) parts.push_back(part);
    return parts;
}

bool parseFloat(const std::string& text, float& value) {
    const char* begin = text.c_str();
    char* end = nullptr;
    value = std::strtof(begin, &end);
    return end != begin && *end == '\0';
}

bool readValues(const std::string& path, std::vector<float>& values) {
    std::ifstream in(path);
    if (!in) {
        std::cerr << "tfaas_predict: cannot read " << path << "\n";
        return false;
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (char& c : text) {
        if (c == ',') c = ' ';
    }
    std::istringstream words(text);
    for (std::string word; words >> word;) {
        float v = 0;
        if (!parseFloat(word, v)) {
            std::cerr << "tfaas_predict: " << path << ": '" << word << "' is not a number\n";
            return false;
        }
        values.push_back(v);
    }
    return true;
}

std::string environment(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
}

}  // namespace

int main(int argc, char** argv) {
    std::string url = "http://localhost:8083/proto";
    std::string model;
    std::vector<std::string> attrs;
    std::vector<float> values;
    tfaas::Options options;
    options.token = environment("HEPML_TOKEN");
    if (options.token.empty()) options.token = environment("TFAAS_TOKEN");
    options.certificate = options.key = environment("X509_USER_PROXY");
    options.caPath = environment("X509_CERT_DIR");

    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const bool hasValue = i + 1 < argc;
        if (arg == "-h" || arg == "--help") {
            usage(std::cout);
            return 0;
        } else if (arg == "--url" && hasValue) {
            url = argv[++i];
        } else if (arg == "--model" && hasValue) {
            model = argv[++i];
        } else if (arg == "--token" && hasValue) {
            options.token = argv[++i];
        } else if (arg == "--cacert" && hasValue) {
            options.caFile = argv[++i];
        } else if (arg == "--keys" && hasValue) {
            attrs = splitCommas(argv[++i]);
        } else if (arg == "--input" && hasValue) {
            if (!readValues(argv[++i], values)) return kUsageError;
        } else {
            float v = 0;
            if (!parseFloat(arg, v)) {
                std::cerr << "tfaas_predict: unknown argument '" << arg << "'\n";
                usage(std::cerr);
                return kUsageError;
            }
            values.push_back(v);
        }
    }
    if (values.empty()) {
        const bool nameThem = attrs.empty();
        for (int i = 0; i < kDefaultFeatureCount; ++i) {
            values.push_back(static_cast<float>(i));
            if (nameThem) attrs.push_back(std::to_string(i));
        }
    }

    try {
        const tfaaspb::Predictions res = tfaas::predict(url, model, attrs, values, options);
        std::cout.precision(std::numeric_limits<float>::max_digits10);
        for (int i = 0; i < res.prediction_size(); ++i) {
            const auto& p = res.prediction(i);
            std::cout << "class: " << (p.label().empty() ? std::to_string(i) : p.label())
                      << " value: " << p.probability() << "\n";
        }
    } catch (const tfaas::Error& e) {
        std::cerr << "tfaas_predict: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
