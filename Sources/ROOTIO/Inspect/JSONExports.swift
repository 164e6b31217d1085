// `inspect` results are `JSONValue` documents from the project's JSON module; users of ROOTIO get it too.
@_exported import HEPJSON
