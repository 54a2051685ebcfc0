/// The HTML shell every zpages page serves: the nav, `main#page[data-page]` for the script to fill, the stylesheet
/// and the script (both same-origin files, so the Content-Security-Policy needs no inline code or style).
extension ZPagesAssets {
    /// The document of one page. `page` is one of `service`, `pipelines`, `extensions`, `engine`, `traces`,
    /// `cardinality`; any other value is replaced by `service`, so nothing but those words reaches the document.
    static func shell(page: String) -> String {
        let entries: [(page: String, path: String, label: String)] = [
            ("service", "/debug/servicez", "Service"),
            ("pipelines", "/debug/pipelinez", "Pipelines"),
            ("extensions", "/debug/extensionz", "Extensions"),
            ("engine", "/debug/enginez", "Engine"),
            ("traces", "/debug/tracez", "Traces"),
            ("cardinality", "/debug/cardinalityz", "Cardinality"),
        ]
        let current = entries.contains(where: { $0.page == page }) ? page : "service"
        let links = entries.map { entry in
            let here = entry.page == current ? " aria-current=\"page\"" : ""
            return "<a href=\"\(entry.path)\"\(here)>\(entry.label)</a>"
        }
        return """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>otlp-gateway · zpages</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <link rel="icon" href="data:,">
            <link rel="stylesheet" href="/static/zpages.css"></head>
            <body><nav id="nav"><span class="brand">otlp-gateway</span>\(links.joined())\
            <span id="last-update"></span></nav>
            <div id="error-banner" role="alert" hidden></div>
            <main id="page" data-page="\(current)"></main>
            <script src="/static/zpages.js" defer></script></body></html>

            """
    }
}
