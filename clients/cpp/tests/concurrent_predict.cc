// concurrent_predict URL MODEL TOKEN THREADS CALLS VALUE...: a check of the client's thread safety (TFaaS's
// own C++ client initialised and tore down libcurl and protobuf on every call). Half of the threads share one
// tfaas::Client, the others each use the one-shot tfaas::predict; every answer must equal the first one
// bit for bit. Prints "ok <calls>" or the first difference; exit 0 only when all calls agree.
#include <atomic>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tfaas_client.h"

int main(int argc, char** argv) {
    if (argc < 7) {
        std::cerr << "usage: concurrent_predict URL MODEL TOKEN THREADS CALLS VALUE...\n";
        return 2;
    }
    const std::string url = argv[1], model = argv[2];
    tfaas::Options options;
    options.token = argv[3];
    const int threads = std::stoi(argv[4]), calls = std::stoi(argv[5]);
    std::vector<float> values;
    for (int i = 6; i < argc; ++i) values.push_back(std::stof(argv[i]));

    const std::string expected = tfaas::predict(url, model, {}, values, options).SerializeAsString();
    tfaas::Client shared(url, options);
    std::atomic<int> done{0};
    std::mutex reportMutex;
    std::string firstProblem;
    auto report = [&](const std::string& problem) {
        std::lock_guard<std::mutex> lock(reportMutex);
        if (firstProblem.empty()) firstProblem = problem;
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int c = 0; c < calls; ++c) {
                try {
                    const auto answer = t % 2 == 0 ? shared.predict(model, {}, values)
                                                   : tfaas::predict(url, model, {}, values, options);
                    if (answer.SerializeAsString() != expected) {
                        report("thread " + std::to_string(t) + " call " + std::to_string(c) + ": different answer");
                    }
                    ++done;
                } catch (const tfaas::Error& e) {
                    report("thread " + std::to_string(t) + " call " + std::to_string(c) + ": " + e.what());
                }
            }
        });
    }
    for (auto& th : pool) th.join();
    if (!firstProblem.empty()) {
        std::cerr << firstProblem << "\n";
        return 1;
    }
    std::cout << "ok " << done.load() << "\n";
    return 0;
}
