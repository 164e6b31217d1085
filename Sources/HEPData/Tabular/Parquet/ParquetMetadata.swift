/// The parts of Parquet's `FileMetaData` (the footer) the reader uses, decoded from Thrift compact bytes.
struct ParquetFileMetadata {
    var numRows: Int64 = 0
    var schema: [ParquetSchemaElement] = []
    var rowGroups: [ParquetRowGroup] = []

    typealias R = ThriftCompactReader

    static func decode(_ r: inout R) throws(R.Failure) -> ParquetFileMetadata {
        var m = ParquetFileMetadata()
        try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
            switch (id, type) {
            case (2, .list): m.schema = try r.readList { (r: inout R) throws(R.Failure) in try ParquetSchemaElement.decode(&r) }
            case (3, .i64): m.numRows = try r.i64()
            case (4, .list): m.rowGroups = try r.readList { (r: inout R) throws(R.Failure) in try ParquetRowGroup.decode(&r) }
            default: try r.skip(type)
            }
        }
        return m
    }
}

/// A node of the schema tree, stored depth-first (`numChildren` says how many nodes follow as children).
struct ParquetSchemaElement {
    var name = ""
    /// Physical type (BOOLEAN 0, INT32 1, INT64 2, INT96 3, FLOAT 4, DOUBLE 5, BYTE_ARRAY 6,
    /// FIXED_LEN_BYTE_ARRAY 7); nil for groups.
    var type: Int32?
    /// REQUIRED 0, OPTIONAL 1, REPEATED 2.
    var repetition: Int32 = 0
    var numChildren: Int32 = 0
    var convertedType: Int32?
    /// Logical INTEGER annotation: bit width and signedness.
    var integer: (bits: Int8, signed: Bool)?
    /// Whether the logical type is STRING (or the converted type UTF8).
    var isString = false

    typealias R = ThriftCompactReader

    static func decode(_ r: inout R) throws(R.Failure) -> ParquetSchemaElement {
        var e = ParquetSchemaElement()
        try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
            switch (id, type) {
            case (1, .i32): e.type = try r.i32()
            case (3, .i32): e.repetition = try r.i32()
            case (4, .binary): e.name = try r.string()
            case (5, .i32): e.numChildren = try r.i32()
            case (6, .i32): e.convertedType = try r.i32()
            case (10, .structure):
                try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
                    switch (id, type) {
                    case (1, .structure): e.isString = true; try r.skip(type)
                    case (10, .structure):
                        var bits: Int8 = 0
                        var signed = true
                        try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
                            switch (id, type) {
                            case (1, .byte): bits = Int8(bitPattern: try r.byte())
                            case (2, .boolTrue), (2, .boolFalse): signed = try r.bool()
                            default: try r.skip(type)
                            }
                        }
                        e.integer = (bits, signed)
                    default: try r.skip(type)
                    }
                }
            default: try r.skip(type)
            }
        }
        if e.convertedType == 0 { e.isString = true }
        return e
    }
}

struct ParquetRowGroup {
    var numRows: Int64 = 0
    var columns: [ParquetColumnChunk] = []

    typealias R = ThriftCompactReader

    static func decode(_ r: inout R) throws(R.Failure) -> ParquetRowGroup {
        var g = ParquetRowGroup()
        try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
            switch (id, type) {
            case (1, .list): g.columns = try r.readList { (r: inout R) throws(R.Failure) in try ParquetColumnChunk.decode(&r) }
            case (3, .i64): g.numRows = try r.i64()
            default: try r.skip(type)
            }
        }
        return g
    }
}

/// A column chunk's `ColumnMetaData`: where its pages are and how they are compressed.
struct ParquetColumnChunk {
    var filePath: String?
    var type: Int32 = 0
    var path: [String] = []
    /// UNCOMPRESSED 0, SNAPPY 1, GZIP 2, LZO 3, BROTLI 4, LZ4 5, ZSTD 6, LZ4_RAW 7.
    var codec: Int32 = 0
    var numValues: Int64 = 0
    var totalCompressedSize: Int64 = 0
    var dataPageOffset: Int64 = 0
    var dictionaryPageOffset: Int64?

    typealias R = ThriftCompactReader

    static func decode(_ r: inout R) throws(R.Failure) -> ParquetColumnChunk {
        var c = ParquetColumnChunk()
        try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
            switch (id, type) {
            case (1, .binary): c.filePath = try r.string()
            case (3, .structure):
                try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
                    switch (id, type) {
                    case (1, .i32): c.type = try r.i32()
                    case (3, .list): c.path = try r.readList { (r: inout R) throws(R.Failure) in try r.string() }
                    case (4, .i32): c.codec = try r.i32()
                    case (5, .i64): c.numValues = try r.i64()
                    case (7, .i64): c.totalCompressedSize = try r.i64()
                    case (9, .i64): c.dataPageOffset = try r.i64()
                    case (11, .i64): c.dictionaryPageOffset = try r.i64()
                    default: try r.skip(type)
                    }
                }
            default: try r.skip(type)
            }
        }
        return c
    }

    /// First byte of the chunk: the dictionary page when there is one, else the first data page.
    var start: Int64 {
        if let d = dictionaryPageOffset, d > 0, d < dataPageOffset { return d }
        return dataPageOffset
    }
}

/// A page header: kind, sizes and the header of its kind.
struct ParquetPageHeader {
    /// DATA_PAGE 0, INDEX_PAGE 1, DICTIONARY_PAGE 2, DATA_PAGE_V2 3.
    var type: Int32 = -1
    var uncompressedSize: Int32 = 0
    var compressedSize: Int32 = 0
    /// CRC-32 of the page's stored bytes, when the writer added one.
    var crc: UInt32?
    var numValues: Int32 = 0
    var encoding: Int32 = 0
    var definitionLevelEncoding: Int32 = 3
    var repetitionLevelEncoding: Int32 = 3
    /// Data page v2 only.
    var numNulls: Int32 = 0
    var numRows: Int32 = 0
    var definitionLevelsLength: Int32 = 0
    var repetitionLevelsLength: Int32 = 0
    var isCompressed = true

    typealias R = ThriftCompactReader

    static func decode(_ r: inout R) throws(R.Failure) -> ParquetPageHeader {
        var h = ParquetPageHeader()
        try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
            switch (id, type) {
            case (1, .i32): h.type = try r.i32()
            case (2, .i32): h.uncompressedSize = try r.i32()
            case (3, .i32): h.compressedSize = try r.i32()
            case (4, .i32): h.crc = UInt32(bitPattern: try r.i32())
            case (5, .structure):
                try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
                    switch (id, type) {
                    case (1, .i32): h.numValues = try r.i32()
                    case (2, .i32): h.encoding = try r.i32()
                    case (3, .i32): h.definitionLevelEncoding = try r.i32()
                    case (4, .i32): h.repetitionLevelEncoding = try r.i32()
                    default: try r.skip(type)
                    }
                }
            case (7, .structure):
                try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
                    switch (id, type) {
                    case (1, .i32): h.numValues = try r.i32()
                    case (2, .i32): h.encoding = try r.i32()
                    default: try r.skip(type)
                    }
                }
            case (8, .structure):
                try r.readStruct { (r: inout R, id, type) throws(R.Failure) in
                    switch (id, type) {
                    case (1, .i32): h.numValues = try r.i32()
                    case (2, .i32): h.numNulls = try r.i32()
                    case (3, .i32): h.numRows = try r.i32()
                    case (4, .i32): h.encoding = try r.i32()
                    case (5, .i32): h.definitionLevelsLength = try r.i32()
                    case (6, .i32): h.repetitionLevelsLength = try r.i32()
                    case (7, .boolTrue), (7, .boolFalse): h.isCompressed = try r.bool()
                    default: try r.skip(type)
                    }
                }
            default: try r.skip(type)
            }
        }
        return h
    }
}
