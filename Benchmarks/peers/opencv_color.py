"""OpenCV's colour round trips on the image chroma-bench color measures.

    python3 opencv_color.py RAW WIDTH HEIGHT

RAW holds WIDTH × HEIGHT interleaved 8-bit RGB pixels. Measured as chroma-bench
measures chroma: in 7 rounds, each timing every case once on one thread and
once on two (cv2.setNumThreads). Prints, per case and thread count,
"name threads MP/s forward-MP/s inverse-MP/s" (medians of the rounds), and per
case "name ratio R", the median of the rounds' two-thread speed-ups.
chroma-bench runs this when a Python with OpenCV is available; chroma itself
never needs OpenCV.
"""
import statistics
import sys
import time

import cv2
import numpy as np


def main():
    path, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    image = np.fromfile(path, dtype=np.uint8).reshape(height, width, 3)
    megapixels = width * height / 1e6
    cases = [
        ("lab8", lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2Lab), lambda i: cv2.cvtColor(i, cv2.COLOR_Lab2RGB)),
        # Float Lab as OpenCV users write it: scale to 0...1 floats, convert, and back to bytes, all in OpenCV.
        ("labfloat", lambda i: cv2.cvtColor(cv2.multiply(i, 1 / 255, dtype=cv2.CV_32F), cv2.COLOR_RGB2Lab),
         lambda i: cv2.convertScaleAbs(cv2.cvtColor(i, cv2.COLOR_Lab2RGB), alpha=255)),
        ("ycbcr8", lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2YCrCb), lambda i: cv2.cvtColor(i, cv2.COLOR_YCrCb2RGB)),
        ("gray8", lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2GRAY), lambda i: None),
    ]
    # The same into outputs kept from the previous call (dst=), as chroma's into: variants.
    kept = {name: (np.empty_like(image), np.empty_like(image)) for name in ("lab8", "ycbcr8")}
    gray = np.empty(image.shape[:2], dtype=np.uint8)
    cases += [
        ("lab8-reused", lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2Lab, dst=kept["lab8"][0]),
         lambda i: cv2.cvtColor(i, cv2.COLOR_Lab2RGB, dst=kept["lab8"][1])),
        ("ycbcr8-reused", lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2YCrCb, dst=kept["ycbcr8"][0]),
         lambda i: cv2.cvtColor(i, cv2.COLOR_YCrCb2RGB, dst=kept["ycbcr8"][1])),
        ("gray8-reused", lambda i: cv2.cvtColor(i, cv2.COLOR_RGB2GRAY, dst=gray), lambda i: None),
    ]
    times = {(name, threads): ([], [], []) for name, _, _ in cases for threads in (1, 2)}
    ratios = {name: [] for name, _, _ in cases}
    for _ in range(7):
        for name, forward, inverse in cases:
            for threads in (1, 2):
                cv2.setNumThreads(threads)
                start = time.perf_counter()
                converted = forward(image)
                middle = time.perf_counter()
                inverse(converted)
                end = time.perf_counter()
                for series, seconds in zip(times[(name, threads)], (middle - start, end - middle, end - start)):
                    series.append(seconds)
            ratios[name].append(times[(name, 1)][2][-1] / times[(name, 2)][2][-1])
    print(f"opencv {cv2.__version__}")
    for name, _, _ in cases:
        for threads in (1, 2):
            forwards, inverses, totals = (megapixels / statistics.median(s) for s in times[(name, threads)])
            inverse = "–" if name.startswith("gray8") else f"{inverses:.1f}"
            total = forwards if name.startswith("gray8") else totals
            print(f"{name} {threads} {total:.1f} {forwards:.1f} {inverse}")
        print(f"{name} ratio {statistics.median(ratios[name]):.2f}")


if __name__ == "__main__":
    main()
