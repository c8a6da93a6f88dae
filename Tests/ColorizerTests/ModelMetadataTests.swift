import Foundation
import ColorSpace
import NeuralNet
import Testing
@testable import Colorizer

@Suite("Model metadata: typed, and every file written so far still loads")
struct ModelMetadataTests {
    @Test("both bundled models read as calibrated binned colorizers, and write back exactly the entries they hold",
          arguments: ChromaSpace.allCases)
    func bundledModels(space: ChromaSpace) throws {
        let file = try BundledModels.load(space)
        let metadata = try ModelMetadata(of: file)
        let task = try metadata.colorization()
        #expect(task.space == space)
        #expect(task.bins != nil && task.binFrequencies?.count == task.bins?.count)
        #expect(metadata.saturation != nil && metadata.calibration?.hasPrefix("validation: PSNR") == true)
        #expect(metadata.checkpoint == nil && metadata.unknownEntries.isEmpty)
        #expect(metadata.entries == file.metadata)
        #expect(try ModelMetadata(entries: metadata.entries) == metadata)
        _ = try PhotoColorizer(model: file)
    }

    @Test("a model file as chroma wrote it on 2026-11-21 (no bins, saturation-calibration) loads and colorizes")
    func olderFile() throws {
        // The entries of the first bundled Lab model, key for key.
        let entries = ["gammas": "", "input-normalisation": "L*/100", "inputs": "luminance", "output-normalisation": "(v+128)/256",
                       "outputs": "a*,b*", "saturation": "1.05",
                       "saturation-calibration": "validation: PSNR 25.166 dB (best 25.214), colourfulness 16.6",
                       "space": "lab", "task": "colorize"]
        let network = Network(architecture: try Architecture("c4 p c4 u:bilinear c2 sigmoid"), inputChannels: 1, seed: 2)
        let file = try ModelFile(decoding: ModelFile(network: network, metadata: entries).encoded())
        let metadata = try ModelMetadata(of: file)
        #expect(try metadata.colorization() == ColorizationTask(space: .lab))
        #expect(metadata.saturation == 1.05 && metadata.defaultSaturation == 1.05)
        #expect(metadata.calibration == "validation: PSNR 25.166 dB (best 25.214), colourfulness 16.6")
        #expect(metadata.unknownEntries.isEmpty)
        let colorizer = try PhotoColorizer(model: file)
        #expect(colorizer.saturation == 1.05)
        // Written again, the calibration sits under today's key.
        #expect(metadata.entries["calibration"] == entries["saturation-calibration"] && metadata.entries["saturation-calibration"] == nil)
    }

    @Test("checkpoints, unknown keys and every task survive a round trip")
    func roundTrips() throws {
        let tasks: [TrainingTask] = [.colorize(ColorizationTask(space: .ycbcr, gammas: [0.5, 2])), .colorizeRGB(space: .lab),
                                     .reconstruct, .denoise(noiseStd: 0.1)]
        for task in tasks {
            let metadata = ModelMetadata(task: task, checkpoint: .init(epoch: 3, adamSteps: 4218), unknownEntries: ["note": "kept"])
            #expect(try ModelMetadata(entries: metadata.entries) == metadata)
        }
    }

    @Test("a value this version cannot use is refused, naming its key")
    func badValues() throws {
        let good = ModelMetadata(colorization: ColorizationTask(space: .lab)).entries
        for (key, value, named) in [("saturation", "nan", "saturation"), ("saturation", "5", "saturation"), ("space", "hsv", "space"),
                                    ("gammas", "-1", "gammas"), ("epoch", "x", "epoch")] {
            var entries = good
            entries[key] = value
            if key == "epoch" { entries["adam-steps"] = "1" }
            #expect { try ModelMetadata(entries: entries) } throws: { "\($0)".contains(named) }
        }
        #expect(throws: ColorizerError.unknownTask(nil)) { try ModelMetadata(entries: [:]) }
        #expect(throws: ColorizerError.notAColorizer) { try ModelMetadata(task: .reconstruct).colorization() }
    }
}

@Suite("Run records: typed settings, read from run.json files as every version wrote them")
struct RunRecordTests {
    @Test("a run.json of 2026-12-03 (loss, space and schedule as strings) reads as typed settings and is written back the same")
    func olderRecord() throws {
        let json = #"""
            {"settings": {"arch": "c16 p c32:bn u:bilinear c144:k1", "batch": 32, "cifar": "/data/cifar-10-batches-bin",
             "epochs": 7, "flips": true, "gammas": [], "learningRate": 0.002, "loss": "bins:12", "mosaic": 0.5,
             "schedule": "cosine", "seed": 1, "space": "lab"}, "epochs": []}
            """#
        let record = try JSONDecoder().decode(RunRecord.self, from: Data(json.utf8))
        let settings = record.settings
        #expect(settings.space == .lab && settings.loss == .bins(BinGrid(side: 12)) && settings.schedule == .cosine)
        #expect(settings.task == nil && settings.learningRateSchedule == .cosine(epochs: 7) && settings.mosaic == 0.5)
        #expect(try settings.trainingTask() == .colorize(ColorizationTask(space: .lab, bins: BinGrid(side: 12))))
        let again = try JSONSerialization.jsonObject(with: JSONEncoder().encode(record)) as? [String: Any]
        let written = again?["settings"] as? [String: Any]
        #expect(written?["loss"] as? String == "bins:12" && written?["space"] as? String == "lab" && written?["schedule"] as? String == "cosine")
        // The oldest records have no schedule or task: constant, colorize.
        let oldest = json.replacingOccurrences(of: #""schedule": "cosine", "#, with: "").replacingOccurrences(of: #""loss": "bins:12""#, with: #""loss": "mse""#)
        let plain = try JSONDecoder().decode(RunRecord.self, from: Data(oldest.utf8)).settings
        #expect(plain.learningRateSchedule == .constant && plain.loss == .mse && plain.task == nil)
        let unreadable = json.replacingOccurrences(of: "bins:12", with: "bins:99")
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RunRecord.self, from: Data(unreadable.utf8)) }
    }
}
