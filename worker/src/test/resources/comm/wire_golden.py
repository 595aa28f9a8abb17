# Golden values for Dtype and RingOrder, computed with NumPy (float16 is IEEE binary16 with
# round-to-nearest-even; bf16 is FP32 with the low 16 bits rounded off, nearest-even).
# Run: python3 wire_golden.py > wire_golden.txt
import numpy as np

def bf16(x):
    b = np.array(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    r = ((b + 0x7FFF + ((b >> 16) & 1)) >> 16) << 16
    return r.astype(np.uint32).view(np.float32)

def fp16(x):
    return np.array(x, dtype=np.float32).astype(np.float16).astype(np.float32)

values = np.array([0.0, 1.0, 1.00390625, 1.005859375, 1.0009765625 * 1.00048828125, 3.14159265,
                   65504.0, 65519.99, 65520.0, 1e6, 6.0e-8, 2.98e-8, 2.9802322e-8, 1.0e-5,
                   -2.5e-3, 3.0e38, -7.77e-20], dtype=np.float32)
with np.errstate(over='ignore'):
    h = fp16(values)
    b = bf16(values)
print("# value_bits fp16_bits bf16_bits")
for v, x, y in zip(values, h, b):
    print("%08x %08x %08x" % (np.float32(v).view(np.uint32), np.float32(x).view(np.uint32),
                              np.float32(y).view(np.uint32)))

# Ring order, N = 3: chunk c starts at rank c: ((round(x_c) + x_{c+1}) rounded + x_{c+2}),
# then / N for average, then rounded once more.
ranks = np.array([[1e8, 1.0, -3.0, 0.1, 7.0],
                  [1.0, -1e8, 2.5, 0.2, 1e-3],
                  [-1e8, 1.0, 1e8, 0.3, 65000.0]], dtype=np.float32)
n, length = ranks.shape
def ring(rnd, average):
    out = np.zeros(length, dtype=np.float32)
    for c in range(n):
        for i in range(length * c // n, length * (c + 1) // n):
            acc = np.float32(ranks[c][i])
            for hop in range(1, n):
                acc = np.float32(rnd(acc) + ranks[(c + hop) % n][i])
            if average:
                acc = np.float32(acc / np.float32(n))
            out[i] = rnd(acc)
    return out
ident = lambda x: np.float32(x)
with np.errstate(over='ignore'):
    for name, rnd in [("fp32", ident), ("bf16", lambda x: bf16(x)[()]), ("fp16", lambda x: fp16(x)[()])]:
        for avg in (False, True):
            print(name, "average" if avg else "sum", " ".join("%08x" % v for v in ring(rnd, avg).view(np.uint32)))
