#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded generator (xoshiro256**, state filled by SplitMix64): the same seed
/// gives the same numbers on every machine.
public struct SeededRandom: RandomNumberGenerator, Sendable, Codable, Equatable {
    private var s0, s1, s2, s3: UInt64

    public init(seed: UInt64) {
        var mix = seed
        func splitMix() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(); s1 = splitMix(); s2 = splitMix(); s3 = splitMix()
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform on [0, 1).
    public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / Float(1 << 24))
    }

    /// Standard normal (Box–Muller).
    public mutating func normal() -> Float {
        let u1 = max(uniform(), 1e-7), u2 = uniform()
        return sqrtf(-2 * logf(u1)) * cosf(2 * .pi * u2)
    }
}

extension SeededRandom {
    /// Fills `count` weights: He normal (σ = √(2/fanIn)) for ReLU-like layers,
    /// Glorot uniform (±√(6/(fanIn + fanOut))) otherwise.
    static func initialiseWeights(_ weights: UnsafeMutablePointer<Float>, count: Int, fanIn: Int, fanOut: Int,
                                  he: Bool, random: inout SeededRandom) {
        if he {
            let std = sqrtf(2 / Float(fanIn))
            for i in 0..<count { weights[i] = random.normal() * std }
        } else {
            let limit = sqrtf(6 / Float(fanIn + fanOut))
            for i in 0..<count { weights[i] = (2 * random.uniform() - 1) * limit }
        }
    }
}
