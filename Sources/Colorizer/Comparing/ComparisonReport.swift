import Foundation

/// What `chroma compare` found: every model's and the gray baseline's scores
/// per photo and in total, rendered as Markdown, CSV, JSON and an HTML page.
public struct ComparisonReport: Sendable, Codable {
    /// One compared model: a row of every table.
    public struct Model: Sendable, Codable, Equatable {
        /// The row name: "lab", "ycbcr", or the model file's name.
        public var name: String
        /// Where the model was loaded from ("bundled lab.chroma" for a built-in one).
        public var file: String
        /// The model's colour space (lab or ycbcr).
        public var space: String

        public init(name: String, file: String, space: String) {
            self.name = name; self.file = file; self.space = space
        }
    }

    /// One photo, or a whole image set (CIFAR-10's test split).
    public struct Entry: Sendable, Codable, Equatable {
        public var name: String
        public var file: String?
        public var width: Int?
        public var height: Int?
        /// Images scored (1 for a photo).
        public var images: Int
        /// False for a gray original: nothing to score against.
        public var hasColour: Bool
        public var error: String?
        /// By row name: each model's and each gray baseline's scores.
        public var scores: [String: ImageScores]
        /// Full-size pictures by column title, relative to the report folder.
        public var pictures: [String: String]

        public init(name: String, file: String? = nil, width: Int? = nil, height: Int? = nil, images: Int = 1, hasColour: Bool,
                    error: String? = nil, scores: [String: ImageScores] = [:], pictures: [String: String] = [:]) {
            self.name = name; self.file = file; self.width = width; self.height = height; self.images = images
            self.hasColour = hasColour; self.error = error; self.scores = scores; self.pictures = pictures
        }
    }

    public var title: String
    public var models: [Model]
    /// Row names of the gray baselines, one per colour space the models use.
    public var baselines: [String]
    public var entries: [Entry]
    /// The mean over the scored entries (photos with colour that did not fail).
    public var total: Entry
    /// The contact sheet's file name in the report folder.
    public var sheet: String
    /// The order of pictures per photo on the page.
    public var pictureColumns: [String]

    public init(title: String, models: [Model], baselines: [String], entries: [Entry], sheet: String = "sheet.png",
                pictureColumns: [String] = [], total: Entry? = nil) {
        self.title = title; self.models = models; self.baselines = baselines; self.entries = entries
        self.sheet = sheet; self.pictureColumns = pictureColumns
        self.total = total ?? Self.mean(of: entries, rows: baselines + models.map(\.name))
    }

    /// The gray baseline's row name for a colour space.
    public static func baselineName(space: String) -> String { space == "lab" ? "gray (L*)" : "gray (Y)" }

    public var rows: [String] { baselines + models.map(\.name) }

    /// Mean scores over the entries that have colour and no error.
    static func mean(of entries: [Entry], rows: [String]) -> Entry {
        let scored = entries.filter { $0.hasColour && $0.error == nil }
        var scores: [String: ImageScores] = [:]
        for row in rows {
            let values = scored.compactMap { $0.scores[row] }
            guard !values.isEmpty else { continue }
            let n = Double(values.count)
            scores[row] = ImageScores(psnr: values.map(\.psnr).reduce(0, +) / n, ssim: values.map(\.ssim).reduce(0, +) / n,
                                      deltaE2000: values.map(\.deltaE2000).reduce(0, +) / n,
                                      colourfulness: values.map(\.colourfulness).reduce(0, +) / n)
        }
        return Entry(name: "total", images: scored.reduce(0) { $0 + $1.images }, hasColour: !scored.isEmpty, scores: scores)
    }

    // MARK: Metrics

    /// The columns of every table, named as they are headed.
    public enum Metric: String, CaseIterable, Sendable {
        case psnr = "PSNR (dB)", ssim = "SSIM", deltaE2000 = "ΔE2000", colourfulness = "colourfulness"

        /// This metric's figure in `scores`.
        public func value(_ scores: ImageScores) -> Double {
            switch self {
            case .psnr: scores.psnr
            case .ssim: scores.ssim
            case .deltaE2000: scores.deltaE2000
            case .colourfulness: scores.colourfulness
            }
        }

        var higherIsBetter: Bool { self != .deltaE2000 }

        func format(_ value: Double) -> String {
            switch self {
            case .psnr, .deltaE2000, .colourfulness: String(format: "%.2f", value)
            case .ssim: String(format: "%.4f", value)
            }
        }
    }

    /// The model that does best on `metric` for `entry` (gray baselines are not candidates); nil for a tie or fewer than two models.
    public func best(_ metric: Metric, in entry: Entry) -> String? {
        let candidates = models.compactMap { model in entry.scores[model.name].map { (model.name, metric.value($0)) } }
        guard candidates.count >= 2 else { return nil }
        let sorted = candidates.sorted { metric.higherIsBetter ? $0.1 > $1.1 : $0.1 < $1.1 }
        return metric.format(sorted[0].1) == metric.format(sorted[1].1) ? nil : sorted[0].0
    }

    // MARK: Markdown

    /// `report.md`: a table per photo and one for the total, the best model per metric starred.
    public func markdown() -> String {
        var lines = ["# \(title)", "", "Models: " + models.map { "\($0.name) (\($0.space), `\($0.file)`)" }.joined(separator: ", ") + ".",
                     "★ marks the better model per metric; PSNR, SSIM and colourfulness: higher is better, ΔE2000: lower is better.", ""]
        func table(_ entry: Entry) {
            lines.append("| | " + Metric.allCases.map(\.rawValue).joined(separator: " | ") + " |")
            lines.append("|---|" + String(repeating: "---:|", count: Metric.allCases.count))
            for row in rows {
                guard let scores = entry.scores[row] else { continue }
                let cells = Metric.allCases.map { metric in metric.format(metric.value(scores)) + (best(metric, in: entry) == row ? " ★" : "") }
                lines.append("| \(row) | " + cells.joined(separator: " | ") + " |")
            }
            lines.append("")
        }
        lines.append("## Total (\(total.images) image\(total.images == 1 ? "" : "s") with colour)")
        lines.append("")
        if total.hasColour { table(total) } else { lines += ["No photo with colour to score against.", ""] }
        for entry in entries where entry.file != nil {  // photos; an image set has only the total
            lines.append("## \(entry.name)")
            lines.append("")
            if let error = entry.error {
                lines += ["Failed: \(error)", ""]
            } else if !entry.hasColour {
                lines += ["Gray original: nothing to score against.", ""]
            } else {
                table(entry)
            }
        }
        return lines.joined(separator: "\n")
    }

    // MARK: CSV

    /// `report.csv`: one line per photo and row (model or gray baseline), then the total's;
    /// a photo that failed gets one line with its error.
    public func csv() -> String {
        var lines = ["photo,row,images,psnr,ssim,delta_e2000,colourfulness,error"]
        for entry in entries + [total] {
            if let error = entry.error {
                lines.append("\(CSV.field(entry.name)),,0,,,,,\(CSV.field(error))")
                continue
            }
            for row in rows {
                guard let s = entry.scores[row] else { continue }
                lines.append([CSV.field(entry.name), CSV.field(row), String(entry.images), String(format: "%.4f", s.psnr), String(format: "%.5f", s.ssim),
                              String(format: "%.4f", s.deltaE2000), String(format: "%.4f", s.colourfulness), ""].joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: JSON

    /// `report.json`: the whole report, pretty-printed with sorted keys.
    public func json() throws -> String {
        try JSONText.encode(self, pretty: true) + "\n"
    }
}
