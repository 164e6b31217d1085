import CImageCodecs

/// A decoded image: height × width × channels pixels, 0–255, row-major (HWC).
public struct DecodedImage: Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    public var pixels: [UInt8]

    /// The image as a `[1, H, W, C]` FP32 tensor with pixel values 0–255 (what TFaaS feeds image models).
    public func tensor(name: String) -> Tensor {
        Tensor(name: name, shape: [1, height, width, channels], values: pixels.map { Float($0) })
    }
}

/// PNG (libpng) and JPEG (libjpeg-turbo) decoding, converted to 1 (gray), 3 (RGB) or 4 (RGBA) channels.
public enum ImageDecoder {
    /// Decodes by content (magic bytes), not by file name.
    public static func decode(_ bytes: [UInt8], channels: Int) throws -> DecodedImage {
        guard [1, 3, 4].contains(channels) else {
            throw InferenceError.invalidInput("image models need img_channels 1, 3 or 4 (got \(channels))")
        }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return try png(bytes, channels: channels) }
        if bytes.starts(with: [0xFF, 0xD8]) { return try jpeg(bytes, channels: channels) }
        throw InferenceError.invalidInput("invalid image: neither PNG nor JPEG")
    }

    static func png(_ bytes: [UInt8], channels: Int) throws -> DecodedImage {
        var image = png_image()
        image.version = 1  // PNG_IMAGE_VERSION
        guard bytes.withUnsafeBytes({ png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }) != 0 else {
            throw InferenceError.invalidInput("invalid PNG image")
        }
        image.format = channels == 1 ? 0 : (channels == 3 ? 2 : 3)  // GRAY, RGB (COLOR), RGBA (COLOR|ALPHA)
        let w = Int(image.width), h = Int(image.height)
        guard w > 0, h > 0, w * h <= 64 << 20 else {
            png_image_free(&image)
            throw InferenceError.invalidInput("PNG image of \(w)×\(h) pixels is out of range")
        }
        var pixels = [UInt8](repeating: 0, count: w * h * channels)
        let ok = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, Int32(w * channels), nil) }
        guard ok != 0 else {
            png_image_free(&image)
            throw InferenceError.invalidInput("invalid PNG image data")
        }
        return DecodedImage(width: w, height: h, channels: channels, pixels: pixels)
    }

    static func jpeg(_ bytes: [UInt8], channels: Int) throws -> DecodedImage {
        guard let handle = tjInitDecompress() else { throw InferenceError.backend("libjpeg-turbo could not start") }
        defer { tjDestroy(handle) }
        var w: Int32 = 0, h: Int32 = 0, sub: Int32 = 0, space: Int32 = 0
        var input = bytes
        guard tjDecompressHeader3(handle, &input, UInt(input.count), &w, &h, &sub, &space) == 0, w > 0, h > 0,
              Int(w) * Int(h) <= 64 << 20
        else {
            throw InferenceError.invalidInput("invalid JPEG image")
        }
        let format = channels == 1 ? TJPF_GRAY : (channels == 3 ? TJPF_RGB : TJPF_RGBA)
        var pixels = [UInt8](repeating: 0, count: Int(w) * Int(h) * channels)
        guard tjDecompress2(handle, &input, UInt(input.count), &pixels, w, 0, h, Int32(format.rawValue), 0) == 0 else {
            throw InferenceError.invalidInput("invalid JPEG image data")
        }
        return DecodedImage(width: Int(w), height: Int(h), channels: channels, pixels: pixels)
    }
}
