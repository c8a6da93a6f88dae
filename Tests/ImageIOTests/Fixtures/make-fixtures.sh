#!/usr/bin/env bash
# How the TIFF and WebP conformance files here were made: by other tools
# (ImageMagick 6, libtiff's tiffcp, libwebp's cwebp and img2webp, exiftool;
# Debian's imagemagick, libtiff-tools, webp and libimage-exiftool-perl), never
# by chroma. Each NAME.tif or NAME.webp has NAME.ref.png beside it: the same
# pixels as the other tool decodes them (ImageMagick for TIFF, dwebp for WebP).
# Run once, by hand; the tests only read the results.
set -euo pipefail
cd "$(dirname "$0")"
im=/usr/bin/convert
$im -size 48x32 xc: -sparse-color barycentric '0,0 red 47,0 yellow 0,31 blue 47,31 green' -depth 8 base.png
$im base.png -depth 16 -evaluate multiply 0.999 base16.png          # levels between the 8-bit ones
$im base.png \( -size 48x32 gradient:white-black \) -alpha off -compose copy_opacity -composite alpha.png

ref() { $im "$1.tif[0]" "$1.ref.png"; }
$im base.png -compress lzw -define tiff:rows-per-strip=5 rgb8-lzw-strips.tif && ref rgb8-lzw-strips
$im base16.png -depth 16 -compress zip rgb16-deflate.tif && ref rgb16-deflate
tiffcp -t -w 16 -l 16 -c zip rgb16-deflate.tif rgb16-deflate-tiles.tif && ref rgb16-deflate-tiles
tiffcp -B rgb16-deflate.tif rgb16-bigendian.tif && ref rgb16-bigendian
$im base.png -colorspace gray -compress rle gray8-packbits.tif && ref gray8-packbits
$im base16.png -colorspace gray -depth 16 -compress none gray16-none.tif && ref gray16-none
$im alpha.png -compress lzw rgba8.tif && ref rgba8
tiffcp -p separate -c lzw rgb8-lzw-strips.tif rgb8-planar.tif && ref rgb8-planar
$im base.png -colors 16 -type palette palette.tif && ref palette
$im base.png -colorspace gray -threshold 50% -type bilevel -compress group4 bilevel-g4.tif && ref bilevel-g4
$im base.png -colorspace cmyk -compress lzw cmyk.tif && ref cmyk
$im base.png base.png -compress lzw two-pages.tif && ref two-pages
# Colour-space TIFFs (read by ColorSpaceTests): CIELab at 8 and 16 bits, YCbCr without subsampling.
ref_srgb() { $im "$1.tif" -colorspace sRGB ${2:-} "$1.ref.png"; }
$im base.png -colorspace Lab -compress lzw lab8.tif && ref_srgb lab8
$im base16.png -colorspace Lab -depth 16 -compress zip lab16.tif && ref_srgb lab16 "-depth 16"
$im base.png -colorspace YCbCr -compress lzw ycbcr8.tif && ref_srgb ycbcr8
# Metadata written by exiftool into a TIFF: EXIF, GPS, XMP, IPTC, resolution.
cp rgb8-lzw-strips.tif tagged.tif && ref tagged
exiftool -q -overwrite_original -Make=Agfa -Model=Optima -DateTimeOriginal="1962:07:14 10:30:00" -GPSLatitude=50.94 \
  -GPSLatitudeRef=N -Artist="Grandpa" -Copyright="Family archive" -XMP-dc:Description="At the beach" \
  -IPTC:Caption-Abstract="Summer" -XResolution=300 -YResolution=300 -ResolutionUnit=inches tagged.tif

webp() { dwebp -quiet "$1.webp" -o "$1.ref.png"; }
cwebp -quiet -q 80 base.png -o lossy.webp && webp lossy
cwebp -quiet -lossless base.png -o lossless.webp && webp lossless
cwebp -quiet -q 80 -exact alpha.png -o lossy-alpha.webp && webp lossy-alpha
$im base.png -flop flopped.png
img2webp -lossy -q 60 base.png flopped.png -o animated.webp >/dev/null
# Metadata carried by cwebp from a JPEG with EXIF (orientation 6).
$im base.png -quality 95 tagged-source.jpg
exiftool -q -overwrite_original -Make=Agfa -DateTimeOriginal="1962:07:14 10:30:00" -Orientation#=6 tagged-source.jpg
cwebp -quiet -q 90 -metadata exif tagged-source.jpg -o tagged-exif.webp && webp tagged-exif
rm -f alpha.png base16.png flopped.png tagged-source.jpg
