/// A network architecture in a short text form, e.g. `c8 p c12 p c16 u c12 u c2`.
///
/// Tokens, separated by spaces, each optionally followed by `:option`s:
///
/// | token | meaning | options |
/// |---|---|---|
/// | `cN` | convolution to N channels, 3×3, stride 1, "same", ReLU | `kK` kernel, `sS` stride, `valid`, `bn` batch norm, an activation |
/// | `tN` | transposed convolution to N channels, 3×3, stride 2 (doubles the size), ReLU | as for `c` |
/// | `p`  | 2×2 max-pooling | |
/// | `u`  | ×2 upsampling, nearest | `bilinear` |
/// | `skip` | remember the current activation (the start of a skip connection) | |
/// | `concat` | append the most recently remembered, not yet joined activation as extra channels (U-Net style); heights and widths must agree | |
/// | `add` | add the most recently remembered, not yet joined activation element by element (a residual connection); its shape must agree | |
/// | `relu`, `leaky`, `sigmoid`, `tanh`, `linear` | at the end: the output activation | |
///
/// The last (transposed) convolution is linear unless it names an activation;
/// an activation token after it is the network's output activation.
/// Example: `c32:bn c32:bn p c64 u:bilinear c2 sigmoid`; with a skip connection
/// around the bottleneck: `c16 skip p c32 u concat c16 c2 sigmoid`; a
/// denoiser that learns the correction to its input: `skip c16 c16 c3 add`.
public struct Architecture: Equatable, Sendable, CustomStringConvertible {
    /// One operation of the spec, as written.
    public enum Operation: Equatable, Sendable {
        case convolution(channels: Int, kernel: Int, stride: Int, padding: Padding, batchNorm: Bool, activation: Activation)
        case transposedConvolution(channels: Int, kernel: Int, stride: Int, padding: Padding, batchNorm: Bool, activation: Activation)
        case maxPool
        case upsample(UpsampleMode)
        case activation(Activation)
        /// The start of a skip connection.
        case skip
        /// The end of the innermost open skip connection, joined as extra channels.
        case concat
        /// The end of the innermost open skip connection, added element by element.
        case add
    }

    /// The seed assignment's CAE: 3×3 convolutions, "same", stride 1:
    /// 8 → pool → 12 → pool → 16 → up → 12 → up → outputs.
    public static func reference(outputs: Int = 2, outputActivation: Activation = .sigmoid) -> Architecture {
        try! Architecture("c8 p c12 p c16 u c12 u c\(outputs)" + (outputActivation == .linear ? "" : " \(outputActivation.rawValue)"))
    }

    /// The text as given (whitespace normalised).
    public let text: String
    public let operations: [Operation]

    public var description: String { text }

    /// Channels of the last (transposed) convolution: what the network outputs.
    public var outputChannels: Int {
        for operation in operations.reversed() {
            switch operation {
            case .convolution(let channels, _, _, _, _, _), .transposedConvolution(let channels, _, _, _, _, _): return channels
            default: continue
            }
        }
        return 0
    }

    /// Parses `text`; a bad token throws an error that points at it.
    public init(_ text: String) throws {
        let normalised = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        self.text = normalised
        var operations: [Operation] = []
        var column = 0
        var openSkips: [(token: String, column: Int)] = []
        let tokens = normalised.split(separator: " ").map(String.init)
        for (index, token) in tokens.enumerated() {
            let fail = { (reason: String) -> ArchitectureError in
                ArchitectureError(text: normalised, token: token, column: column, reason: reason)
            }
            operations.append(try Self.parse(token, fail: fail))
            if case .activation = operations.last!, index != tokens.count - 1 {
                throw fail("an activation on its own may only end the spec (attach it to a layer as cN:\(token))")
            }
            if operations.last == .skip { openSkips.append((token, column)) }
            if operations.last == .concat || operations.last == .add {
                guard openSkips.popLast() != nil else { throw fail("'\(token)' has no open 'skip' to join") }
            }
            column += token.count + 1
        }
        if let (token, column) = openSkips.last {
            throw ArchitectureError(text: normalised, token: token, column: column, reason: "this 'skip' is never joined by a 'concat' or an 'add'")
        }
        guard !operations.isEmpty else {
            throw ArchitectureError(text: normalised, token: "", column: 0, reason: "the spec is empty")
        }
        // The last convolution is linear unless it says otherwise.
        if let last = operations.lastIndex(where: { if case .convolution = $0 { true } else if case .transposedConvolution = $0 { true } else { false } }) {
            let explicit = tokens[last].split(separator: ":").dropFirst().contains { Activation(rawValue: String($0)) != nil }
            if !explicit {
                switch operations[last] {
                case let .convolution(c, k, s, p, bn, _): operations[last] = .convolution(channels: c, kernel: k, stride: s, padding: p, batchNorm: bn, activation: .linear)
                case let .transposedConvolution(c, k, s, p, bn, _): operations[last] = .transposedConvolution(channels: c, kernel: k, stride: s, padding: p, batchNorm: bn, activation: .linear)
                default: break
                }
            }
        } else {
            throw ArchitectureError(text: normalised, token: "", column: 0, reason: "the spec has no convolution")
        }
        self.operations = operations
    }

    private static func parse(_ token: String, fail: (String) -> ArchitectureError) throws -> Operation {
        let parts = token.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let head = parts[0], options = parts.dropFirst()
        if let join: Operation = ["skip": .skip, "concat": .concat, "add": .add][head] {
            guard options.isEmpty else { throw fail("'\(head)' takes no options") }
            return join
        }
        if let activation = Activation(rawValue: head) {
            guard options.isEmpty else { throw fail("an activation takes no options") }
            return .activation(activation)
        }
        switch head.first {
        case "p" where head == "p":
            guard options.isEmpty else { throw fail("max-pooling takes no options") }
            return .maxPool
        case "u" where head == "u":
            guard options.count <= 1 else { throw fail("upsampling takes one option: nearest or bilinear") }
            guard let mode = UpsampleMode(rawValue: options.first ?? "nearest") else {
                throw fail("unknown upsampling mode '\(options.first!)' (nearest or bilinear)")
            }
            return .upsample(mode)
        case "c", "t":
            let transposed = head.first == "t"
            guard let channels = Int(head.dropFirst()), channels > 0, channels <= 4096 else {
                throw fail("'\(head.first!)' must be followed by a channel count from 1 to 4096, e.g. \(head.first!)16")
            }
            var kernel = 3, stride = transposed ? 2 : 1, padding = Padding.same, batchNorm = false
            var activation = Activation.relu
            for option in options {
                if let value = option.first.flatMap({ "ks".contains($0) ? Int(option.dropFirst()) : nil }) {
                    guard (1...15).contains(value) else { throw fail("'\(option)': kernel and stride must be 1…15") }
                    if option.first == "k" { kernel = value } else { stride = value }
                } else if let mode = Padding(rawValue: option) {
                    padding = mode
                } else if option == "bn" {
                    batchNorm = true
                } else if let named = Activation(rawValue: option) {
                    activation = named
                } else {
                    throw fail("unknown option '\(option)' (kN, sN, same, valid, bn, or an activation)")
                }
            }
            return transposed
                ? .transposedConvolution(channels: channels, kernel: kernel, stride: stride, padding: padding, batchNorm: batchNorm, activation: activation)
                : .convolution(channels: channels, kernel: kernel, stride: stride, padding: padding, batchNorm: batchNorm, activation: activation)
        default:
            throw fail("unknown layer (cN, tN, p, u, skip, concat, add, or an output activation)")
        }
    }
}

/// A spec that does not parse; its description shows the spec with the bad token underlined.
public struct ArchitectureError: Error, Equatable, Sendable, CustomStringConvertible {
    public let text: String
    public let token: String
    /// Where the token starts in `text`, counting characters from 0.
    public let column: Int
    public let reason: String

    public var description: String {
        guard !token.isEmpty else { return "bad architecture '\(text)': \(reason)" }
        let marker = String(repeating: " ", count: column) + String(repeating: "^", count: max(1, token.count))
        return "bad architecture token '\(token)' at column \(column + 1): \(reason)\n  \(text)\n  \(marker)"
    }
}
