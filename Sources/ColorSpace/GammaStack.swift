#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gamma-shifted copies of one luminance plane: the network's input channels.
///
/// From a plane normalised to 0…1, each γ gives the plane `Y^γ` (γ < 1
/// brightens the shadows, γ > 1 darkens the highlights), so the network sees
/// detail at several tone curves at once.
public enum GammaStack {
    /// One plane per gamma, in the order given. γ = 1 returns the plane unchanged.
    /// - Parameter normalised: luminance on 0…1 (values outside are clipped first).
    /// - Parameter gammas: the powers, each positive.
    public static func planes(from normalised: Plane, gammas: [Float]) -> [Plane] {
        let count = normalised.values.count
        var stacked = [Float](repeating: 0, count: gammas.count * count)
        normalised.values.withUnsafeBufferPointer { source in
            stacked.withUnsafeMutableBufferPointer { out in
                if let source = source.baseAddress { channels(of: source, count: count, gammas: gammas, into: out.baseAddress!) }
            }
        }
        return gammas.indices.map { g in
            Plane(width: normalised.width, height: normalised.height, values: Array(stacked[g * count..<(g + 1) * count]))
        }
    }

    /// The same on raw memory, for the network's input tensors: `gammas.count`
    /// planes of `count` values written one after another at `out`, each value
    /// of `source` clipped to 0…1 and raised to the plane's γ.
    public static func channels(of source: UnsafePointer<Float>, count: Int, gammas: [Float],
                                into out: UnsafeMutablePointer<Float>) {
        for (g, gamma) in gammas.enumerated() {
            precondition(gamma > 0, "gamma must be positive")
            let channel = out + g * count
            for p in 0..<count {
                let clipped = min(max(source[p], 0), 1)
                channel[p] = gamma == 1 ? clipped : powf(clipped, gamma)
            }
        }
    }
}

extension Plane {
    /// Values mapped linearly from `range` onto 0…1 (not clipped).
    public func normalised(from range: ClosedRange<Float>) -> Plane {
        let low = range.lowerBound, scale = 1 / (range.upperBound - range.lowerBound)
        return map { ($0 - low) * scale }
    }

    /// The inverse of `normalised(from:)`: 0…1 mapped linearly onto `range`.
    public func denormalised(to range: ClosedRange<Float>) -> Plane {
        let low = range.lowerBound, scale = range.upperBound - range.lowerBound
        return map { $0 * scale + low }
    }
}
