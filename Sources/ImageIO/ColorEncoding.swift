/// What an image's three colour samples hold. Photos hold sRGB; `chroma
/// convert --to lab|ycbcr` writes files that hold the other two, in these
/// encodings (TIFF marks them with its photometric tag; PNG cannot, so a
/// reader must be told).
public enum ColorEncoding: String, Sendable, CaseIterable {
    /// sRGB R, G, B.
    case rgb
    /// CIE L\*a\*b\* (D65). 8-bit: L\* × 255/100, a\* + 128, b\* + 128 (as
    /// ImageMagick and OpenCV store 8-bit Lab); 16-bit: L\* × 65535/100,
    /// a\* × 256 + 32768, b\* × 256 + 32768 (TIFF's 16-bit CIELab with a\*, b\*
    /// offset from signed to unsigned). a\*, b\* are clipped to −128…127.996.
    case lab
    /// JFIF YCbCr (full-range BT.601, as JPEG stores it). 8-bit: Y, Cb, Cr with
    /// Cb, Cr centred on 128, as libjpeg computes them; 16-bit: Y × 257,
    /// (Cb − 128) × 256 + 32768, (Cr − 128) × 256 + 32768.
    case ycbcr
}
