import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A small element tree built with Foundation's streaming `XMLParser` (TMVA weight files).
final class XMLDocumentTree {
    final class Element {
        let name: String
        let attributes: [String: String]
        var children: [Element] = []
        var text = ""

        init(name: String, attributes: [String: String]) {
            self.name = name
            self.attributes = attributes
        }

        func child(_ name: String) -> Element? { children.first { $0.name == name } }
        func children(_ name: String) -> [Element] { children.filter { $0.name == name } }
    }

    /// Deepest element nesting accepted.
    static let maxDepth = 4096

    /// Parses `bytes`; errors carry the parser's line number.
    static func parse(_ bytes: [UInt8], format: String) throws -> Element {
        let builder = Builder()
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = builder
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        if let m = builder.failure {
            throw TreeModelError.malformed(format, m)
        }
        guard ok, let root = builder.root, builder.stack.isEmpty else {
            throw TreeModelError.malformed(format, "not well-formed XML (line \(parser.lineNumber))")
        }
        return root
    }

    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [Element] = []
        var root: Element?
        var failure: String?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            guard stack.count < XMLDocumentTree.maxDepth else {
                failure = "elements nested deeper than \(XMLDocumentTree.maxDepth) (line \(parser.lineNumber))"
                parser.abortParsing()
                return
            }
            let e = Element(name: name, attributes: attributes)
            if let parent = stack.last { parent.children.append(e) } else if root == nil { root = e }
            stack.append(e)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let e = stack.last, e.text.utf8.count < 1 << 16 { e.text += string }
        }
    }
}
