"""Checks that numpy.load reads a ringtrain snapshot array as a 1-D float32 vector.

Usage: check_npy.py FILE LENGTH SHA256
SHA256 is the hash of the values as little-endian float32 bytes, computed by the Java test from
the raw float bits it wrote. Prints one line "ok shape=... dtype=... first=..." and exits 0, or
prints what differs and exits 1.
"""
import hashlib
import sys

import numpy as np


def main(path, length, expected_sha256):
    arr = np.load(path)
    problems = []
    if arr.shape != (int(length),):
        problems.append(f"shape {arr.shape} != ({length},)")
    if arr.dtype != np.float32:
        problems.append(f"dtype {arr.dtype} != float32")
    actual = hashlib.sha256(arr.astype("<f4", copy=False).tobytes()).hexdigest()
    if actual != expected_sha256:
        problems.append(f"values sha256 {actual} != {expected_sha256}")
    if problems:
        print("; ".join(problems))
        return 1
    print(f"ok shape={arr.shape} dtype={arr.dtype} first={arr[:3].tolist()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
