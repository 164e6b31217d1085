// swift-tools-version: 6.1
import PackageDescription

/// hepml: machine learning as a service for High Energy Physics.
/// Layers point one way: CCodecs* → ROOTIO → HEPData → HEPTraining; HEPInference → HEPServer; hepml on top.
let package = Package(
    name: "hepml",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hepml", targets: ["hepml"]),
        .library(name: "ROOTIO", targets: ["ROOTIO"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        .systemLibrary(name: "CCodecsZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CCodecsLZMA", pkgConfig: "liblzma", providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CCodecsLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CCodecsZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CCodecsXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .target(
            name: "ROOTIO",
            dependencies: ["CCodecsZlib", "CCodecsLZMA", "CCodecsLZ4", "CCodecsZstd", "CCodecsXXHash"]
        ),
        .executableTarget(
            name: "hepml",
            dependencies: [
                "ROOTIO",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ROOTIOTests", dependencies: ["ROOTIO"]),
    ],
    swiftLanguageModes: [.v6]
)
