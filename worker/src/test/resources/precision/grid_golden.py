# Golden values of LowPrecisionGridTest: fp16 through NumPy's IEEE binary16 cast (round to nearest
# even, subnormals, overflow to inf); bf16 by exact rational rounding of the FP32 value to 8
# significant bits, ties to even. Run: python3 grid_golden.py > grid_golden.txt
from fractions import Fraction
import math
import numpy as np

inputs = [1.0, 1.00048828125, 1.000732421875, 3.14159265, 65504.0, 65519.99, 65520.0, 1e5,
          -70000.0, 6.0e-8, 2.9802322e-8, 2.98023259e-8, 1e-7, 1.00390625, 1.01171875, 3.0e38,
          -2.5e-3, 0.1]

def bf16(x):
    x = float(np.float32(x))
    if x == 0 or math.isinf(x):
        return x
    e = math.floor(math.log2(abs(x)))
    ulp = Fraction(2) ** (e - 7)
    q = Fraction(x) / ulp
    n = math.floor(q)
    r = q - n
    if r > Fraction(1, 2) or (r == Fraction(1, 2) and n % 2 == 1):
        n += 1
    v = n * ulp
    return float(v) if abs(v) < 2 ** 128 else math.copysign(math.inf, x)

for x in inputs:
    f = np.float32(x)
    print(f"{float(f)!r} {float(np.float16(f))!r} {bf16(f)!r}")
