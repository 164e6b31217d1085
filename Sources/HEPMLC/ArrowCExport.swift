import CHEPML
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fills the C structs of the Arrow C data interface from `ArrowField` / `ArrowNode` descriptions. Every
/// exported struct owns its storage through `private_data` (a retained box); its release callback releases
/// the children first, then the box, and marks the struct released.
enum ArrowCExport {
    /// What an exported `ArrowSchema` owns.
    final class SchemaStorage {
        let format: UnsafeMutablePointer<CChar>?
        let name: UnsafeMutablePointer<CChar>?
        let children: UnsafeMutablePointer<UnsafeMutablePointer<ArrowSchema>?>?
        let childCount: Int

        init(_ field: ArrowField) {
            format = strdup(field.format)
            name = strdup(field.name)
            childCount = field.children.count
            if field.children.isEmpty {
                children = nil
            } else {
                let list = UnsafeMutablePointer<UnsafeMutablePointer<ArrowSchema>?>.allocate(capacity: field.children.count)
                for (i, c) in field.children.enumerated() {
                    let child = UnsafeMutablePointer<ArrowSchema>.allocate(capacity: 1)
                    ArrowCExport.fill(child, with: c)
                    list[i] = child
                }
                children = list
            }
        }

        deinit {
            free(format)
            free(name)
            if let children {
                for i in 0..<childCount {
                    if let c = children[i] {
                        if let release = c.pointee.release { release(c) }
                        c.deallocate()
                    }
                }
                children.deallocate()
            }
        }
    }

    /// What an exported `ArrowArray` owns (the node keeps the data storage alive).
    final class ArrayStorage {
        let node: ArrowNode
        let buffers: UnsafeMutablePointer<UnsafeRawPointer?>
        let children: UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>?

        init(_ node: ArrowNode) {
            self.node = node
            buffers = .allocate(capacity: max(1, node.buffers.count))
            for (i, b) in node.buffers.enumerated() { buffers[i] = b }
            if node.children.isEmpty {
                children = nil
            } else {
                let list = UnsafeMutablePointer<UnsafeMutablePointer<ArrowArray>?>.allocate(capacity: node.children.count)
                for (i, c) in node.children.enumerated() {
                    let child = UnsafeMutablePointer<ArrowArray>.allocate(capacity: 1)
                    ArrowCExport.fill(child, with: c)
                    list[i] = child
                }
                children = list
            }
        }

        deinit {
            if let children {
                for i in 0..<node.children.count {
                    if let c = children[i] {
                        if let release = c.pointee.release { release(c) }
                        c.deallocate()
                    }
                }
                children.deallocate()
            }
            buffers.deallocate()
        }
    }

    static func fill(_ out: UnsafeMutablePointer<ArrowSchema>, with field: ArrowField) {
        let storage = SchemaStorage(field)
        out.pointee = ArrowSchema(
            format: UnsafePointer(storage.format), name: UnsafePointer(storage.name), metadata: nil, flags: 0,
            n_children: Int64(field.children.count), children: storage.children, dictionary: nil,
            release: { s in
                guard let s, let p = s.pointee.private_data else { return }
                Unmanaged<SchemaStorage>.fromOpaque(p).release()
                s.pointee.private_data = nil
                s.pointee.release = nil
            },
            private_data: Unmanaged.passRetained(storage).toOpaque())
    }

    static func fill(_ out: UnsafeMutablePointer<ArrowArray>, with node: ArrowNode) {
        let storage = ArrayStorage(node)
        out.pointee = ArrowArray(
            length: node.length, null_count: 0, offset: 0, n_buffers: Int64(node.buffers.count),
            n_children: Int64(node.children.count),
            buffers: UnsafeMutableRawPointer(storage.buffers).assumingMemoryBound(to: UnsafeRawPointer?.self),
            children: storage.children, dictionary: nil,
            release: { a in
                guard let a, let p = a.pointee.private_data else { return }
                Unmanaged<ArrayStorage>.fromOpaque(p).release()
                a.pointee.private_data = nil
                a.pointee.release = nil
            },
            private_data: Unmanaged.passRetained(storage).toOpaque())
    }
}
