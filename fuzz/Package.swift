// swift-tools-version: 6.1
import PackageDescription

/// libFuzzer targets for hepml's parsers. Build and run through `fuzz/run TARGET SECONDS`
/// (`swift build -c release --scratch-path .build-fuzz -Xswiftc -sanitize=fuzzer,address`).
let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
    ("fuzz-root-file", ["ROOTFuzzing"]),
    ("fuzz-rntuple", ["ROOTFuzzing", .product(name: "ROOTIO", package: "hepml")]),
    ("fuzz-expression", [.product(name: "HEPTraining", package: "hepml"), .product(name: "ROOTIO", package: "hepml")]),
    ("fuzz-configs", [.product(name: "HEPInference", package: "hepml"), .product(name: "HEPTraining", package: "hepml")]),
    ("fuzz-xrootd-frames", [.product(name: "HEPData", package: "hepml"), .product(name: "ROOTIO", package: "hepml")]),
    ("fuzz-server-requests", [.product(name: "HEPServer", package: "hepml"), .product(name: "HEPJSON", package: "hepml")]),
    ("fuzz-models", [.product(name: "HEPInference", package: "hepml"), .product(name: "SwiftProtobuf", package: "swift-protobuf")]),
]

let package = Package(
    name: "hepml-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "hepml", path: ".."),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        .target(name: "FuzzSupport"),
        .target(name: "ROOTFuzzing", dependencies: [.product(name: "ROOTIO", package: "hepml")]),
    ]
        + fuzzTargets.map { t in
            .executableTarget(name: t.name, dependencies: ["FuzzSupport"] + t.dependencies)
        },
    swiftLanguageModes: [.v6]
)
