"""OpenCV's colour round trips on the image chroma-bench color measures.

    python3 opencv_color.py RAW WIDTH HEIGHT THREADS

RAW holds WIDTH × HEIGHT interleaved 8-bit RGB pixels. Prints one line per
case, "name MP/s forward-MP/s inverse-MP/s", each the median of 7 runs.
chroma-bench runs this when a Python with OpenCV is available; chroma itself
never needs OpenCV.
"""
import statistics
import sys
import time

import cv2
import numpy as np


def measure(forward, inverse, image, megapixels):
    forwards, inverses, totals = [], [], []
    for _ in range(7):
        start = time.perf_counter()
        converted = forward(image)
        middle = time.perf_counter()
        inverse(converted)
        end = time.perf_counter()
        forwards.append(middle - start)
        inverses.append(end - middle)
        totals.append(end - start)
    return (megapixels / statistics.median(totals),
            megapixels / statistics.median(forwards),
            megapixels / statistics.median(inverses))


def main():
    path, width, height, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    cv2.setNumThreads(threads)
    image = np.fromfile(path, dtype=np.uint8).reshape(height, width, 3)
    megapixels = width * height / 1e6
    cases = [
        ("lab8", lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2Lab), lambda i: cv2.cvtColor(i, cv2.COLOR_Lab2RGB), image),
        # Float Lab as OpenCV users write it: scale to 0...1 floats, convert, and back to bytes, all in OpenCV.
        ("labfloat", lambda i: cv2.cvtColor(cv2.multiply(i, 1 / 255, dtype=cv2.CV_32F), cv2.COLOR_RGB2Lab),
         lambda i: cv2.convertScaleAbs(cv2.cvtColor(i, cv2.COLOR_Lab2RGB), alpha=255), image),
        ("ycbcr8", lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2YCrCb), lambda i: cv2.cvtColor(i, cv2.COLOR_YCrCb2RGB), image),
        ("gray8", lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2GRAY), lambda i: None, image),
    ]
    # The same into outputs kept from the previous call (dst=), as chroma's into: variants.
    kept = {name: (np.empty_like(image), np.empty_like(image)) for name in ("lab8", "ycbcr8")}
    gray = np.empty(image.shape[:2], dtype=np.uint8)
    cases += [
        ("lab8-reused", lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2Lab, dst=kept["lab8"][0]),
         lambda i: cv2.cvtColor(i, cv2.COLOR_Lab2RGB, dst=kept["lab8"][1]), image),
        ("ycbcr8-reused", lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2YCrCb, dst=kept["ycbcr8"][0]),
         lambda i: cv2.cvtColor(i, cv2.COLOR_YCrCb2RGB, dst=kept["ycbcr8"][1]), image),
        ("gray8-reused", lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2GRAY, dst=gray), lambda i: None, image),
    ]
    print(f"opencv {cv2.__version__}")
    for name, forward, inverse, source in cases:
        total, f, i = measure(forward, inverse, source, megapixels)
        print(f"{name} {total:.1f} {f:.1f} {i:.1f}" if not name.startswith("gray8") else f"{name} {f:.1f} {f:.1f} –")


if __name__ == "__main__":
    main()
