#!/usr/bin/env python3
"""Golden values for ringtrain's gradient noise scale (McCandlish et al. 2018, Appendix A.1).

An independent NumPy (float64) computation on a tiny network: 5 inputs, one tanh hidden layer of
3, a softmax output of 3 classes, cross-entropy loss; trained by plain SGD (no clipping, no decay)
for a few steps. Per step and per micro-batch of b examples the mean gradient G_b is computed by
hand-written backpropagation; then

  |G_b|^2 = mean over all micro-batches of the step (every rank, every accumulation step)
  |G_B|^2 = squared norm of the mean of the micro-batch gradients (the global batch B)
  |G|^2   ~ (B |G_B|^2 - b |G_b|^2) / (B - b)
  tr(S)   ~ (|G_b|^2 - |G_B|^2) / (1/b - 1/B)

each in its own exponential moving average (decay beta, bias-corrected by 1 - beta^t), and
B_simple = EMA(tr S) / EMA(|G|^2). Parameters are laid out as Deeplearning4j flattens a dense
layer: W (n_in x n_out) in column-major order, then b.

Run:  python3 gns_golden.py > gns_golden.json
"""
import json

import numpy as np

D, H, C = 5, 3, 3
rng = np.random.default_rng(20261201)
f32 = lambda a: np.asarray(a, dtype=np.float32).astype(np.float64)

EXAMPLES = 96
CENTRES = rng.normal(0.0, 1.0, (C, D))
LABELS = rng.integers(0, C, EXAMPLES)
FEATURES = f32(CENTRES[LABELS] + rng.normal(0.0, 1.5, (EXAMPLES, D)))
W1 = f32(rng.normal(0.0, 0.6, (D, H)))
B1 = f32(rng.normal(0.0, 0.1, H))
W2 = f32(rng.normal(0.0, 0.6, (H, C)))
B2 = f32(rng.normal(0.0, 0.1, C))


def flat(w1, b1, w2, b2):
    return np.concatenate([w1.ravel(order="F"), b1, w2.ravel(order="F"), b2])


def unflat(p):
    i = 0
    w1 = p[i:i + D * H].reshape((D, H), order="F"); i += D * H
    b1 = p[i:i + H]; i += H
    w2 = p[i:i + H * C].reshape((H, C), order="F"); i += H * C
    b2 = p[i:i + C]
    return w1, b1, w2, b2


def mean_gradient(p, x, y):
    """Gradient of the mean cross-entropy over the rows of x."""
    w1, b1, w2, b2 = unflat(p)
    h = np.tanh(x @ w1 + b1)
    z = h @ w2 + b2
    e = np.exp(z - z.max(axis=1, keepdims=True))
    prob = e / e.sum(axis=1, keepdims=True)
    onehot = np.eye(C)[y]
    dz = (prob - onehot) / len(y)
    dw2 = h.T @ dz
    db2 = dz.sum(axis=0)
    dh = dz @ w2.T * (1 - h * h)
    dw1 = x.T @ dh
    db1 = dh.sum(axis=0)
    return flat(dw1, db1, dw2, db2)


def run(name, world, micro, accumulation, steps, lr, ema):
    big = world * micro * accumulation
    p = flat(W1, B1, W2, B2)
    g_avg = s_avg = 0.0
    power = 1.0
    out = []
    for s in range(steps):
        grads = []
        # Global batch s holds examples s*B ... (s+1)*B-1 (data.shuffle = false); rank r takes the
        # r-th slice of b*k of them, micro-batch j the j-th b of those.
        for r in range(world):
            for j in range(accumulation):
                start = s * big + r * micro * accumulation + j * micro
                idx = np.arange(start, start + micro)
                grads.append(mean_gradient(p, FEATURES[idx], LABELS[idx]))
        small_sq = float(np.mean([np.dot(g, g) for g in grads]))
        g_big = np.mean(grads, axis=0)
        big_sq = float(np.dot(g_big, g_big))
        grad_sq = (big * big_sq - micro * small_sq) / (big - micro)
        trace = (small_sq - big_sq) / (1.0 / micro - 1.0 / big)
        g_avg = ema * g_avg + (1 - ema) * grad_sq
        s_avg = ema * s_avg + (1 - ema) * trace
        power *= ema
        g_ema, s_ema = g_avg / (1 - power), s_avg / (1 - power)
        out.append({"step": s, "small_sq": small_sq, "big_sq": big_sq, "grad_sq": grad_sq,
                    "trace": trace, "grad_sq_ema": g_ema, "trace_ema": s_ema,
                    "b_simple": s_ema / g_ema if g_ema > 0 else None})
        p = p - lr * g_big
    return {"case": name, "world_size": world, "micro_batch": micro,
            "accumulation": accumulation, "steps": steps, "lr": lr, "ema": ema,
            "small_batch": micro, "big_batch": big, "gns": out}


def main():
    cases = [
        run("one_rank_accumulation_4", 1, 4, 4, 5, 0.5, 0.6),
        run("two_ranks_accumulation_2", 2, 4, 2, 5, 0.5, 0.6),
        run("four_ranks", 4, 6, 1, 4, 0.3, 0.0),
    ]
    out = {
        "source": "gns_golden.py (NumPy float64, McCandlish et al. 2018 App. A.1 on a tiny MLP)",
        "features": D, "hidden": H, "classes": C,
        "train_features": FEATURES.ravel().tolist(), "train_labels": LABELS.tolist(),
        "params0": flat(W1, B1, W2, B2).tolist(),
        "cases": cases,
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
