/// The page's stylesheet and script, served from `/ui/` (no external resources, no build step).
enum WebAssets {
    /// Graph colours, shared by the page stylesheet and the standalone SVG.
    static let graphStyle = """
        .model-graph { font: 12px system-ui, sans-serif; }
        .graph-edge { fill: none; stroke: #6b7280; stroke-width: 1.2; }
        .graph-arrow { fill: #6b7280; }
        .graph-node rect { stroke: #374151; stroke-width: 1; fill: #f3f4f6; }
        .graph-node.kind-input rect { fill: #dcfce7; stroke: #166534; }
        .graph-node.kind-output rect { fill: #fee2e2; stroke: #991b1b; }
        .graph-node.kind-layer rect { fill: #dbeafe; stroke: #1e40af; }
        .graph-node.kind-activation rect { fill: #fde68a; stroke: #92400e; }
        .graph-node.kind-normalization rect { fill: #e0e7ff; stroke: #3730a3; }
        .graph-node.kind-shape rect { fill: #e5e7eb; stroke: #4b5563; }
        .graph-node.kind-model rect { fill: #ede9fe; stroke: #5b21b6; }
        .graph-label { font-weight: 600; fill: #111827; }
        .graph-sublabel { font-size: 10px; fill: #374151; }

        """

    static let stylesheet = graphStyle + """
        *, *::before, *::after { box-sizing: border-box; }
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; background: #f9fafb; }
        a { color: #1d4ed8; }
        a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible, textarea:focus-visible,
        [tabindex]:focus-visible, summary:focus-visible { outline: 3px solid #f59e0b; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5em; }
        .skip:focus { left: .5em; z-index: 10; }
        .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
        header.site { display: flex; flex-wrap: wrap; gap: .5em 1.5em; align-items: center; padding: .75em 1em; background: #1f2937; color: #f9fafb; }
        header.site .brand { color: #fff; font-weight: 700; font-size: 1.25em; text-decoration: none; }
        header.site .tagline { color: #d1d5db; }
        .token-box { margin-left: auto; display: flex; gap: .5em; align-items: center; flex-wrap: wrap; }
        .token-box input { min-width: 14em; }
        main, nav.crumbs, footer.site, .flash { max-width: 72em; margin: 0 auto; padding: 0 1em; }
        nav.crumbs { padding-top: .75em; }
        h1 { font-size: 1.6em; margin: .6em 0 .3em; overflow-wrap: anywhere; }
        h1 .sub { font-size: .55em; font-weight: 400; color: #4b5563; }
        h2 { font-size: 1.25em; margin: 1.4em 0 .5em; border-bottom: 1px solid #e5e7eb; }
        h3 { font-size: 1.05em; margin: 1em 0 .3em; }
        .hint { color: #4b5563; font-size: .9em; }
        .table-wrap { overflow-x: auto; max-width: 100%; }
        table { border-collapse: collapse; width: 100%; background: #fff; }
        caption { text-align: left; color: #4b5563; padding: .3em 0; }
        th, td { text-align: left; padding: .4em .6em; border-bottom: 1px solid #e5e7eb; vertical-align: top; overflow-wrap: break-word; }
        thead th { background: #f3f4f6; }
        .state { display: inline-block; padding: 0 .5em; border-radius: 1em; font-size: .85em; white-space: nowrap; }
        .state-ready { background: #dcfce7; color: #14532d; }
        .state-unavailable { background: #fee2e2; color: #7f1d1d; }
        .state-other { background: #e5e7eb; color: #1f2937; }
        .tag { display: inline-block; padding: 0 .5em; border: 1px solid #9ca3af; border-radius: .3em; font-size: .85em; }
        .card { background: #fff; border: 1px solid #e5e7eb; border-radius: .5em; padding: 1em; }
        form.inline { display: flex; flex-wrap: wrap; gap: .5em; align-items: center; margin: .75em 0; }
        fieldset { border: 1px solid #e5e7eb; border-radius: .4em; margin: 0 0 1em; padding: .5em 1em 1em; min-width: 0; }
        code { overflow-wrap: anywhere; }
        input[type=file] { max-width: 100%; }
        fieldset label { display: block; margin-top: .6em; }
        fieldset input[type=text] { width: 100%; max-width: 30em; }
        input, select, textarea, button { font: inherit; }
        input[type=text], input[type=password], select, textarea { padding: .35em .5em; border: 1px solid #9ca3af; border-radius: .3em; }
        textarea { width: 100%; font-family: ui-monospace, monospace; font-size: .9em; }
        button { padding: .45em 1.1em; border: 1px solid #1d4ed8; border-radius: .3em; background: #1d4ed8; color: #fff; cursor: pointer; }
        button:hover { background: #1e40af; }
        button.danger { background: #b91c1c; border-color: #b91c1c; margin-top: .5em; }
        button.danger:hover { background: #991b1b; }
        .result, .flash { min-height: 1.5em; }
        .result.error, .flash.error { color: #b91c1c; }
        .result.ok, .flash.ok { color: #166534; }
        pre.answer { background: #111827; color: #f9fafb; padding: 1em; border-radius: .4em; overflow: auto; max-height: 24em; min-height: 3em; white-space: pre-wrap; }
        dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2em 1em; background: #fff; padding: .75em; border: 1px solid #e5e7eb; }
        dl.facts dt { font-weight: 600; }
        dl.facts dd { margin: 0; overflow-wrap: anywhere; white-space: pre-wrap; }
        ol.labels { columns: 3 12em; }
        figure.graph { margin: 0; }
        .graph-scroll { overflow: auto; max-height: 80vh; background: #fff; border: 1px solid #e5e7eb; border-radius: .4em; }
        .graph-scroll svg { display: block; }
        figcaption { color: #4b5563; font-size: .9em; padding-top: .3em; }
        footer.site { color: #4b5563; font-size: .9em; padding: 2em 1em; }
        @media (max-width: 40em) {
          body { font-size: 15px; }
          .token-box { margin-left: 0; width: 100%; }
          .token-box input { flex: 1; min-width: 0; }
          dl.facts { grid-template-columns: 1fr; }
          th, td { padding: .3em .4em; }
        }

        """

    /// The graph as a standalone SVG document, its colours embedded.
    static func standaloneSVG(_ svg: String) -> String {
        guard let end = svg.firstIndex(of: ">") else { return svg }
        let open = svg[...end]
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + open + "<style>" + graphStyle + "</style>" + svg[svg.index(after: end)...]
    }
}
