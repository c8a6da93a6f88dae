enum TrainingBenchmark {
    static func run() { print("training benchmark: not yet") }
}
