/// One channel of float samples, row-major: `values[y * width + x]`.
///
/// The range depends on what the plane holds: L\* 0…100, a\*/b\* about
/// −128…127, Y/Cb/Cr 0…255 (Cb, Cr centred on 128), normalised planes 0…1.
public struct Plane: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var values: [Float]

    public init(width: Int, height: Int, values: [Float]) {
        precondition(values.count == width * height, "\(values.count) values do not fill \(width)×\(height)")
        self.width = width
        self.height = height
        self.values = values
    }

    /// A plane with every value `fill`.
    public init(width: Int, height: Int, fill: Float = 0) {
        self.init(width: width, height: height, values: [Float](repeating: fill, count: width * height))
    }

    public subscript(x: Int, y: Int) -> Float {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }

    /// The plane with `transform` applied to every value.
    public func map(_ transform: (Float) -> Float) -> Plane {
        Plane(width: width, height: height, values: values.map(transform))
    }
}

/// An image in a luminance–chrominance space: one luminance plane and two chroma planes.
public struct ColorPlanes: Sendable, Equatable {
    public let space: ChromaSpace
    /// L\* (0…100) or Y (0…255).
    public var luminance: Plane
    /// a\* (about −128…127) or Cb (0…255, neutral 128).
    public var chroma1: Plane
    /// b\* (about −128…127) or Cr (0…255, neutral 128).
    public var chroma2: Plane

    public init(space: ChromaSpace, luminance: Plane, chroma1: Plane, chroma2: Plane) {
        precondition(luminance.width == chroma1.width && chroma1.width == chroma2.width
                     && luminance.height == chroma1.height && chroma1.height == chroma2.height,
                     "planes of different sizes")
        self.space = space
        self.luminance = luminance
        self.chroma1 = chroma1
        self.chroma2 = chroma2
    }

    public var width: Int { luminance.width }
    public var height: Int { luminance.height }
}
