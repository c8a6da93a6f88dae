import Foundation

extension ComparisonReport {
    /// `index.html`: a self-contained page (inline style, local images only)
    /// with the sheet, the total table, and every photo's table and pictures.
    /// A small script records on `<body>` how many images loaded, which did
    /// not, and the page's height, for `scripts/check-report`.
    public func html() -> String {
        var body: [String] = []
        body.append("<h1>\(escape(title))</h1>")
        body.append("<p>Models: " + models.map { "<b>\(escape($0.name))</b> (\(escape($0.space)), <code>\(escape($0.file))</code>)" }
            .joined(separator: ", ") + ". ★ marks the better model per metric (ΔE2000: lower is better; the others: higher).</p>")
        body.append("<h2>Total <small>(\(total.images) image\(total.images == 1 ? "" : "s") with colour)</small></h2>")
        body.append(total.hasColour ? table(total) : "<p>No photo with colour to score against.</p>")
        body.append("<h2>Contact sheet</h2>")
        body.append("<a href=\"\(attribute(sheet))\"><img class=\"sheet\" src=\"\(attribute(sheet))\" alt=\"contact sheet\"></a>")
        let photos = entries.filter { $0.file != nil }
        if !photos.isEmpty { body.append("<h2>Photos</h2>") }
        for entry in photos {
            var section = ["<section>", "<h3>\(escape(entry.name))"
                + (entry.width.map { w in entry.height.map { " <small>\(w) × \($0)</small>" } ?? "" } ?? "") + "</h3>"]
            if let error = entry.error {
                section.append("<p class=\"failed\">Failed: \(escape(error))</p>")
            } else {
                section.append(entry.hasColour ? table(entry) : "<p>Gray original: nothing to score against.</p>")
                section.append("<div class=\"pictures\">")
                for column in pictureColumns {
                    guard let path = entry.pictures[column] else { continue }
                    section.append("<figure><a href=\"\(attribute(path))\"><img src=\"\(attribute(path))\" alt=\"\(attribute(column))\"></a>"
                        + "<figcaption>\(escape(column))</figcaption></figure>")
                }
                section.append("</div>")
            }
            section.append("</section>")
            body.append(section.joined(separator: "\n"))
        }
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(title))</title>
            <style>
            body { font: 15px/1.45 system-ui, sans-serif; margin: 24px auto; max-width: 1200px; padding: 0 16px; color: #222; background: #fafaf8; }
            h1 { font-size: 24px; } h2 { margin-top: 32px; border-bottom: 1px solid #ddd; } h3 small, h2 small { color: #777; font-weight: normal; }
            table { border-collapse: collapse; margin: 8px 0 16px; } th, td { padding: 4px 12px; border-bottom: 1px solid #e4e4e0; text-align: right; }
            th:first-child, td:first-child { text-align: left; } td.baseline { color: #777; } td.best { font-weight: bold; background: #e8f4e4; }
            img.sheet { max-width: 100%; border: 1px solid #ddd; }
            .pictures { display: flex; flex-wrap: wrap; gap: 12px; } figure { margin: 0; } figure img { max-width: 280px; max-height: 280px; display: block; border: 1px solid #ddd; }
            figcaption { font-size: 13px; color: #555; text-align: center; } .failed { color: #b00020; }
            </style>
            </head>
            <body>
            \(body.joined(separator: "\n"))
            <script>
            window.addEventListener("load", function () {
              var broken = [];
              for (var i = 0; i < document.images.length; i++) {
                var image = document.images[i];
                if (!image.complete || image.naturalWidth === 0) broken.push(image.getAttribute("src"));
              }
              document.body.setAttribute("data-images", String(document.images.length));
              document.body.setAttribute("data-broken", broken.join(" "));
              document.body.setAttribute("data-height", String(Math.ceil(document.documentElement.scrollHeight)));
            });
            </script>
            </body>
            </html>

            """
    }

    /// A metric table for one entry: a row per model and baseline, the best model per metric marked.
    func table(_ entry: Entry) -> String {
        var lines = ["<table>", "<tr><th></th>" + Metric.allCases.map { "<th>\(escape($0.rawValue))</th>" }.joined() + "</tr>"]
        for row in rows {
            guard let scores = entry.scores[row] else { continue }
            let baseline = baselines.contains(row)
            let cells = Metric.allCases.map { metric -> String in
                let best = self.best(metric, in: entry) == row
                return "<td class=\"\(best ? "best" : baseline ? "baseline" : "")\">\(metric.format(metric.value(scores)))\(best ? " ★" : "")</td>"
            }
            lines.append("<tr><td class=\"\(baseline ? "baseline" : "")\">\(escape(row))</td>" + cells.joined() + "</tr>")
        }
        lines.append("</table>")
        return lines.joined(separator: "\n")
    }

    func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// A relative path as an attribute value: percent-encoded, so that any file name loads.
    func attribute(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#")
        return escape(text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text).replacingOccurrences(of: "\"", with: "&quot;")
    }
}
