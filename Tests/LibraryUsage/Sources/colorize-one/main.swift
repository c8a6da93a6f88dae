// colorize-one IN OUT: the README's library example, run as a program.
import Chroma
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    print("usage: colorize-one IN OUT")
    exit(2)
}
do {
    // One call: a file in, a colorized file out (the default bundled model, YCbCr; metadata kept).
    try Chroma.colorize(file: arguments[1], to: arguments[2])

    // An image in memory, with the other bundled model.
    let image = try ImageFile.read(arguments[1])
    let colorized = try PhotoColorizer.bundled(.lab).colorize(image)
    print("colorized \(arguments[1]) → \(arguments[2]); in memory: \(colorized.width)×\(colorized.height) \(colorized.layout)")
} catch {
    print("colorize-one: \(error)")
    exit(1)
}
