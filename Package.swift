// swift-tools-version: 6.1
import PackageDescription

/// hepml: machine learning as a service for High Energy Physics.
/// Layers point one way: CCodecs* → ROOTIO → HEPData → HEPTraining; HEPInference → HEPServer; hepml on top.
let package = Package(
    name: "hepml",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hepml", targets: ["hepml"]),
        .library(name: "HEPJSON", targets: ["HEPJSON"]),
        .library(name: "ROOTIO", targets: ["ROOTIO"]),
        .library(name: "HEPData", targets: ["HEPData"]),
        .library(name: "HEPTraining", targets: ["HEPTraining"]),
        .library(name: "HEPInference", targets: ["HEPInference"]),
        .library(name: "HEPServer", targets: ["HEPServer"]),
        /// libHEPMLC.so: the C ABI (Sources/CHEPML/include/hepml.h); scripts/setup links it as python/hepml/libhepml.so.
        .library(name: "HEPMLC", type: .dynamic, targets: ["HEPMLC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/multipart-kit", from: "4.7.1"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        .systemLibrary(name: "CCodecsZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCodecsLZMA", pkgConfig: "liblzma", providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CCodecsLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CCodecsZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        // Debian's libsnappy-dev has no pkg-config file: the module map links "snappy" directly.
        .systemLibrary(name: "CCodecsSnappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CCodecsXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CImageCodecs", pkgConfig: "libpng", providers: [.apt(["libpng-dev", "libturbojpeg0-dev"])]),
        // Debian's libhdf5-dev installs hdf5.pc (serial HDF5): Keras .h5 and .keras weights.
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .target(name: "HEPJSON"),
        .target(
            name: "ROOTIO",
            dependencies: ["HEPJSON", "CCodecsZlib", "CCodecsLZMA", "CCodecsLZ4", "CCodecsZstd", "CCodecsXXHash"]
        ),
        .target(
            name: "HEPData",
            dependencies: [
                "ROOTIO", "HEPJSON", "CCodecsSnappy", "CCodecsZlib", "CCodecsZstd", "CCodecsLZ4",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .target(
            name: "HEPTraining",
            dependencies: ["ROOTIO", "HEPData", "HEPInference", "COpenBLAS", "CCodecsZlib", .product(name: "Yams", package: "Yams")]
        ),
        .target(
            name: "HEPInference",
            dependencies: [
                "CImageCodecs", "CCodecsZlib", "CCodecsSnappy", "COpenBLAS", "CHDF5",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "HEPServer",
            dependencies: [
                "HEPInference", "HEPJSON", "CCodecsZlib",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        .target(name: "CHEPML"),
        .target(name: "HEPMLC", dependencies: ["CHEPML", "ROOTIO", "HEPData", "HEPTraining"]),
        .executableTarget(
            name: "hepml",
            dependencies: [
                "ROOTIO", "HEPData", "HEPTraining", "HEPInference", "HEPServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "ROOTIOTests", dependencies: ["ROOTIO"]),
        .testTarget(name: "HEPJSONTests", dependencies: ["HEPJSON"]),
        .target(name: "TestSupport", dependencies: ["HEPInference"], path: "Tests/TestSupport"),
        .testTarget(name: "HEPInferenceTests", dependencies: ["HEPInference", "TestSupport"]),
        .testTarget(name: "HEPDataTests", dependencies: ["HEPData"]),
        .testTarget(name: "NativeLWTNNTests", dependencies: ["HEPInference", "TestSupport"]),
        .testTarget(name: "NativeTreesTests", dependencies: ["HEPInference", "TestSupport"]),
        .testTarget(
            name: "NativeEngineTests",
            dependencies: ["HEPInference", "TestSupport", .product(name: "SwiftProtobuf", package: "swift-protobuf")]
        ),
        .testTarget(name: "HEPMLCTests", dependencies: ["HEPMLC", "CHEPML"]),
        .testTarget(name: "HEPTrainingTests", dependencies: ["HEPTraining", "ROOTIO", "HEPInference"]),
        .testTarget(
            name: "HEPServerTests",
            dependencies: [
                "HEPServer", "HEPInference", "TestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
