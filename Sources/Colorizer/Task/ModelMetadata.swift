import ColorSpace
import Foundation
import NeuralNet

/// What a model file says about its network, typed: the task it was trained
/// for, its calibration, and (in a checkpoint) where training stood.
///
/// On disk the metadata is a map of strings (`ModelFile.metadata`) under the
/// keys of `Key`; this type is the only place that reads or writes them. The
/// keys and their spellings are those every earlier version wrote, so older
/// model files load: a key this version does not know is kept as it is, and
/// `saturation-calibration` (the name `calibration` had until 2026-11-22) is
/// read as `calibration`.
public struct ModelMetadata: Sendable, Equatable {
    /// The metadata's keys, as spelt in the file.
    public enum Key: String, CaseIterable, Sendable {
        /// `TrainingTask.Kind`'s name.
        case task
        /// `ChromaSpace`'s name (the colorize tasks).
        case space
        /// The gammas of the extra input channels, comma-separated (colorize).
        case gammas
        /// Descriptions for people; written from the task, never read back.
        case inputs, inputNormalisation = "input-normalisation", outputs, outputNormalisation = "output-normalisation"
        /// A binned model's grid side, and its chroma range as `low,high` (normalised units).
        case bins, binRange = "bin-range"
        /// A binned model's annealed-mean temperature, bin frequencies (comma-separated) and prior weight.
        case temperature, binFrequencies = "bin-frequencies", priorWeight = "prior-weight"
        /// `true` when predictions average the image's and its mirror image's.
        case mirrorAverage = "mirror-average"
        /// The denoise task's noise (standard deviation on the 0…1 scale).
        case noiseStd = "noise-std"
        /// The calibrated saturation, and what calibration measured, for people.
        case saturation, calibration
        /// A checkpoint's finished epochs and Adam steps.
        case epoch, adamSteps = "adam-steps"

        /// What `calibration` was called by versions before 2026-11-22.
        static let olderCalibration = "saturation-calibration"
    }

    /// Where a training run stood when its checkpoint was written.
    public struct Checkpoint: Sendable, Equatable {
        /// Epochs finished, 0 before the first.
        public var epoch: Int
        /// Adam steps taken (each one batch).
        public var adamSteps: Int

        public init(epoch: Int, adamSteps: Int) {
            self.epoch = epoch
            self.adamSteps = adamSteps
        }
    }

    /// What the network learnt to do, and how its inputs and outputs are scaled.
    public var task: TrainingTask
    /// The saturation `chroma model calibrate` chose, 0…4; nil when the model was not calibrated (1 is used).
    public var saturation: Float?
    /// What calibration measured for the chosen setting, for people reading `chroma model summary`.
    public var calibration: String?
    /// Set in a checkpoint only; a deployed model has none.
    public var checkpoint: Checkpoint?
    /// Entries under keys this version does not know, kept so that a file passes through unchanged.
    public var unknownEntries: [String: String]

    public init(task: TrainingTask, saturation: Float? = nil, calibration: String? = nil, checkpoint: Checkpoint? = nil,
                unknownEntries: [String: String] = [:]) {
        self.task = task
        self.saturation = saturation
        self.calibration = calibration
        self.checkpoint = checkpoint
        self.unknownEntries = unknownEntries
    }

    /// The metadata of a colorizer with `task`.
    public init(colorization task: ColorizationTask) {
        self.init(task: .colorize(task))
    }

    /// The metadata a model file holds.
    /// - Throws: `ColorizerError` naming the key whose value this version cannot use.
    public init(of file: ModelFile) throws {
        try self.init(entries: file.metadata)
    }

    /// The colorization task, or `ColorizerError.notAColorizer` for a model trained for another task.
    public func colorization() throws -> ColorizationTask {
        guard let task = task.colorization else { throw ColorizerError.notAColorizer }
        return task
    }

    /// The saturation colorize, evaluate and compare use by default: the calibrated one, else 1.
    public var defaultSaturation: Float { saturation ?? 1 }

    // MARK: Reading

    /// The metadata from a file's string map.
    /// - Throws: `ColorizerError` naming the key whose value this version cannot use.
    public init(entries: [String: String]) throws {
        let entry = { (key: Key) in entries[key.rawValue] }
        let task: TrainingTask
        switch entry(.task).flatMap(TrainingTask.Kind.init(rawValue:)) {
        case .colorize: task = .colorize(try Self.colorization(entries))
        case .colorizeRGB: task = .colorizeRGB(space: try Self.space(entries))
        case .reconstruct: task = .reconstruct
        case .denoise:
            guard let std = entry(.noiseStd).flatMap(Float.init), std > 0 else {
                throw ColorizerError.badMetadata(key: Key.noiseStd.rawValue, value: entry(.noiseStd) ?? "", expected: "a positive number")
            }
            task = .denoise(noiseStd: std)
        case nil: throw ColorizerError.unknownTask(entry(.task))
        }
        var saturation: Float?
        if let text = entry(.saturation) {
            guard let value = Float(text), (0...4).contains(value) else {
                throw ColorizerError.badMetadata(key: Key.saturation.rawValue, value: text, expected: "in 0…4")
            }
            saturation = value
        }
        var checkpoint: Checkpoint?
        if let epochText = entry(.epoch), let stepsText = entry(.adamSteps) {
            guard let epoch = Int(epochText), epoch >= 0, let steps = Int(stepsText), steps >= 0 else {
                throw ColorizerError.badMetadata(key: "epoch and adam-steps", value: "\(epochText) and \(stepsText)",
                                                 expected: "counts of 0 or more")
            }
            checkpoint = Checkpoint(epoch: epoch, adamSteps: steps)
        }
        let known = Set(Key.allCases.map(\.rawValue) + [Key.olderCalibration])
        self.init(task: task, saturation: saturation,
                  calibration: entry(.calibration) ?? entries[Key.olderCalibration],
                  checkpoint: checkpoint, unknownEntries: entries.filter { !known.contains($0.key) })
    }

    static func space(_ entries: [String: String]) throws -> ChromaSpace {
        guard let space = entries[Key.space.rawValue].flatMap(ChromaSpace.init(rawValue:)) else {
            throw ColorizerError.badMetadata(key: Key.space.rawValue, value: entries[Key.space.rawValue] ?? "", expected: "lab or ycbcr")
        }
        return space
    }

    static func colorization(_ entries: [String: String]) throws -> ColorizationTask {
        let entry = { (key: Key) in entries[key.rawValue] }
        let space = try space(entries)
        let gammas = (entry(.gammas) ?? "").split(separator: ",").compactMap { Float($0) }
        guard gammas.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw ColorizerError.badMetadata(key: Key.gammas.rawValue, value: entry(.gammas) ?? "", expected: "positive numbers")
        }
        var bins: BinGrid?
        if let side = entry(.bins) {
            let range = (entry(.binRange) ?? "").split(separator: ",").compactMap { Float($0) }
            guard let side = Int(side), side >= 2, range.count == 2, range[0] < range[1] else {
                throw ColorizerError.badMetadata(key: "bins and bin-range", value: "\(side) and \(entry(.binRange) ?? "none")",
                                                 expected: "a side of 2 or more and a range low,high")
            }
            bins = BinGrid(side: side, range: range[0]...range[1])
        }
        let temperature = entry(.temperature).flatMap { Float($0) } ?? 1
        guard temperature > 0, temperature <= 1 else {
            throw ColorizerError.badMetadata(key: Key.temperature.rawValue, value: "\(temperature)", expected: "in (0, 1]")
        }
        var frequencies: [Float]?
        if let text = entry(.binFrequencies) {
            let values = text.split(separator: ",").compactMap { Float($0) }
            guard let bins, values.count == bins.count, values.allSatisfy({ $0 >= 0 && $0 <= 1 }) else {
                throw ColorizerError.badMetadata(key: Key.binFrequencies.rawValue, value: "\(values.count) values",
                                                 expected: "one value in 0…1 per bin")
            }
            frequencies = values
        }
        let priorWeight = entry(.priorWeight).flatMap { Float($0) } ?? 0
        guard (0...1).contains(priorWeight) else {
            throw ColorizerError.badMetadata(key: Key.priorWeight.rawValue, value: "\(priorWeight)", expected: "in 0…1")
        }
        let mirror = entry(.mirrorAverage) ?? "false"
        guard let averagesMirror = Bool(mirror) else {
            throw ColorizerError.badMetadata(key: Key.mirrorAverage.rawValue, value: mirror, expected: "true or false")
        }
        return ColorizationTask(space: space, gammas: gammas, bins: bins, temperature: temperature, binFrequencies: frequencies,
                                priorWeight: priorWeight, averagesMirror: averagesMirror)
    }

    // MARK: Writing

    /// The string map a model file stores.
    public var entries: [String: String] {
        var entries = unknownEntries
        func set(_ key: Key, _ value: String?) { entries[key.rawValue] = value }
        let unit = "v/255"
        switch task {
        case .colorize(let task):
            set(.task, TrainingTask.Kind.colorize.rawValue)
            set(.space, task.space.rawValue)
            set(.gammas, task.gammas.map { String($0) }.joined(separator: ","))
            set(.inputs, (["luminance"] + task.gammas.map { "luminance^\($0)" }).joined(separator: ","))
            set(.inputNormalisation, Self.luminanceScale(task.space))
            let chroma = task.space == .lab ? "a*,b*" : "Cb,Cr"
            set(.outputNormalisation, task.space == .lab ? "(v+128)/256" : unit)
            if let bins = task.bins {
                set(.outputs, "logits of \(bins.side)×\(bins.side) bins of " + chroma)
                set(.bins, String(bins.side))
                set(.binRange, "\(bins.lower),\(bins.upper)")
                set(.temperature, String(task.temperature))
                if let frequencies = task.binFrequencies {
                    set(.binFrequencies, frequencies.map { String($0) }.joined(separator: ","))
                    set(.priorWeight, String(task.priorWeight))
                }
            } else {
                set(.outputs, chroma)
            }
            if task.averagesMirror { set(.mirrorAverage, "true") }
        case .colorizeRGB(let space):
            set(.task, TrainingTask.Kind.colorizeRGB.rawValue)
            set(.space, space.rawValue)
            set(.inputs, "luminance")
            set(.inputNormalisation, Self.luminanceScale(space))
            set(.outputs, "R,G,B")
            set(.outputNormalisation, unit)
        case .reconstruct, .denoise:
            set(.task, task.kind.rawValue)
            if case .denoise(let std) = task { set(.noiseStd, String(std)) }
            set(.inputs, task.kind == .denoise ? "R,G,B + noise, clamped" : "R,G,B")
            set(.inputNormalisation, unit)
            set(.outputs, "R,G,B")
            set(.outputNormalisation, unit)
        }
        set(.saturation, saturation.map { String(format: "%.2f", $0) })  // as calibration always wrote it: "1.05"
        set(.calibration, calibration)
        if let checkpoint {
            set(.epoch, String(checkpoint.epoch))
            set(.adamSteps, String(checkpoint.adamSteps))
        }
        return entries
    }

    static func luminanceScale(_ space: ChromaSpace) -> String { space == .lab ? "L*/100" : "Y/255" }
}

extension ModelFile {
    /// A model file whose metadata says what `metadata` does.
    public init(network: Network, metadata: ModelMetadata, extra: [Float] = []) {
        self.init(network: network, metadata: metadata.entries, extra: extra)
    }
}
