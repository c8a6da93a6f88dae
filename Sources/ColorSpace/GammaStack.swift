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
    public static func planes(from normalised: Plane, gammas: [Float]) -> [Plane] {
        gammas.map { gamma in
            precondition(gamma > 0, "gamma must be positive")
            return normalised.map { value in
                let clipped = min(max(value, 0), 1)
                return gamma == 1 ? clipped : powf(clipped, gamma)
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
