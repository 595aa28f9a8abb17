#!/usr/bin/env python3
"""Golden values for ringtrain's large-batch optimizers and the poly schedule.

Independent NumPy (float64) transcriptions of the papers' algorithms:
  LAMB  You et al. 2019, "Large Batch Optimization for Deep Learning", Algorithm 2:
        m = b1 m + (1-b1) g,  v = b2 v + (1-b2) g^2,  m^ = m/(1-b1^t),  v^ = v/(1-b2^t),
        r = m^/(sqrt(v^) + eps) + wd x,  x <- x - lr * (||x|| / ||r||) * r  per layer,
        the ratio taken as 1 when either norm is 0.
  LARS  You et al. 2017, "Large Batch Training of Convolutional Networks", Algorithm 1:
        local lr = eta ||w|| / (||g|| + wd ||w||),  v = m v + local_lr (g + wd w),  w <- w - lr v,
        the local lr taken as 1 when either norm is 0; v starts at 0.
Parameters without weight decay (biases, normalization gain and shift) are excluded from decay and
from the trust ratio: they take the plain Adam direction (LAMB) or plain momentum (LARS).
Inputs are rounded to float32 first so the Java side sees exactly the same numbers.

Run:  python3 large_batch_golden.py > large_batch_golden.json
"""
import json
import math

import numpy as np

STEPS = 6
# Decaying weight blocks and no-decay bias blocks. "2_W" starts at zero (||x|| = 0 on step 1) and
# "3_W" never gets a gradient (||g|| = 0, and for LAMB without decay ||r|| = 0).
BLOCKS = [{"name": "0_W", "offset": 0, "length": 6, "decay": True},
          {"name": "0_b", "offset": 6, "length": 3, "decay": False},
          {"name": "2_W", "offset": 9, "length": 4, "decay": True},
          {"name": "2_b", "offset": 13, "length": 2, "decay": False},
          {"name": "3_W", "offset": 15, "length": 3, "decay": True}]
SIZE = 18
LRS = [0.05, 0.1, 0.08, 0.06, 0.03, 0.01]

rng = np.random.default_rng(20261201)
f32 = lambda a: np.asarray(a, dtype=np.float32).astype(np.float64)
PARAMS0 = f32(rng.normal(0.0, 0.5, SIZE))
PARAMS0[9:13] = 0.0
GRADS = f32(rng.normal(0.0, 1.0, (STEPS, SIZE)) * np.linspace(0.05, 2.0, SIZE))
GRADS[:, 15:18] = 0.0
GRADS[0, 13] = 0.0

DEFAULTS = dict(beta1=0.9, beta2=0.999, eps=1e-6, weight_decay=0.1, momentum=0.9,
                trust_coefficient=0.02)


def blocks():
    for b in BLOCKS:
        yield slice(b["offset"], b["offset"] + b["length"]), b["decay"]


def lamb(h):
    x, m, v = PARAMS0.copy(), np.zeros(SIZE), np.zeros(SIZE)
    b1, b2, eps, wd = h["beta1"], h["beta2"], h["eps"], h["weight_decay"]
    traj, trusts = [], []
    for t in range(1, STEPS + 1):
        lr, g = LRS[t - 1], GRADS[t - 1]
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mhat, vhat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        new, step_trust = x.copy(), []
        for sl, decay in blocks():
            r = mhat[sl] / (np.sqrt(vhat[sl]) + eps)
            if decay:
                r = r + wd * x[sl]
                xn, rn = np.linalg.norm(x[sl]), np.linalg.norm(r)
                trust = xn / rn if xn > 0 and rn > 0 else 1.0
            else:
                trust = 1.0
            step_trust.append(trust)
            new[sl] = x[sl] - lr * trust * r
        x = new
        traj.append(x.copy())
        trusts.append(step_trust)
    return traj, {"adam_m": m, "adam_v": v}, trusts


def lars(h):
    w, buf = PARAMS0.copy(), np.zeros(SIZE)
    eta, wd, mu = h["trust_coefficient"], h["weight_decay"], h["momentum"]
    traj, trusts = [], []
    for t in range(1, STEPS + 1):
        lr, g = LRS[t - 1], GRADS[t - 1]
        step_trust = []
        for sl, decay in blocks():
            if decay:
                wn, gn = np.linalg.norm(w[sl]), np.linalg.norm(g[sl])
                local = eta * wn / (gn + wd * wn) if wn > 0 and gn > 0 else 1.0
                buf[sl] = mu * buf[sl] + local * (g[sl] + wd * w[sl])
            else:
                local = 1.0
                buf[sl] = mu * buf[sl] + g[sl]
            step_trust.append(local)
        w = w - lr * buf
        traj.append(w.copy())
        trusts.append(step_trust)
    return traj, {"momentum": buf}, trusts


def optim_case(name, algo, **over):
    h = dict(DEFAULTS, **over)
    traj, state, trusts = {"lamb": lamb, "lars": lars}[algo](h)
    return {"case": name, "optim": dict(h, name=algo),
            "params_after_step": [x.tolist() for x in traj],
            "state": {k: v.tolist() for k, v in state.items()},
            "trust": trusts}


# ---- poly schedule (You et al. 2017: lr = lr0 (1 - t/T)^2 after warmup) -------------------------

def poly(c, peak, total, s):
    """s < W: peak (s+1)/W; then min + (peak - min) (1 - (s-W)/(T-W))^power, min from step T on."""
    w, lo, power = c["warmup_steps"], c["min_lr"], c["power"]
    if s < w:
        return peak * (s + 1) / w
    if total <= w:
        return lo
    progress = min(1.0, (s - w) / (total - w))
    return lo + (peak - lo) * (1 - progress) ** power


SCHED_DEFAULTS = dict(warmup_steps=10, min_lr=0.0, power=2.0)


def schedule_case(name, peak, total, steps, **over):
    c = dict(SCHED_DEFAULTS, **over)
    return {"case": name, "schedule": dict(c, name="poly"), "peak": peak, "total": total,
            "lr": [[s, poly(c, peak, total, s)] for s in steps]}


def warmup_epochs_case(epochs, steps_per_epoch):
    """Warmup steps derived from schedule.warmup_epochs: round half up, at least 1 when > 0."""
    w = math.floor(epochs * steps_per_epoch + 0.5)
    return {"warmup_epochs": epochs, "steps_per_epoch": steps_per_epoch,
            "warmup_steps": max(1, w) if epochs > 0 else 0}


def main():
    optim = [
        optim_case("lamb", "lamb"),
        optim_case("lamb_no_decay", "lamb", weight_decay=0.0),
        optim_case("lamb_betas", "lamb", beta1=0.5, beta2=0.9, eps=1e-3, weight_decay=0.3),
        optim_case("lars", "lars"),
        optim_case("lars_no_decay", "lars", weight_decay=0.0),
        optim_case("lars_coefficient", "lars", trust_coefficient=1.0, momentum=0.5,
                   weight_decay=0.01),
    ]
    T = 100
    sched = [
        schedule_case("poly", 0.1, T, [0, 4, 9, 10, 11, 30, 55, 98, 99, 100, 150]),
        schedule_case("poly_no_warmup", 2.0, 50, [0, 1, 10, 25, 49, 50], warmup_steps=0),
        schedule_case("poly_power1_floor", 0.4, 40, [0, 4, 5, 6, 20, 39, 40],
                      warmup_steps=5, power=1.0, min_lr=0.01),
        schedule_case("poly_cubic", 1.0, 33, [0, 2, 3, 10, 32, 33], warmup_steps=3, power=3.0),
        schedule_case("poly_total_le_warmup", 0.1, 5, [0, 4, 5, 9]),
    ]
    warmup = [warmup_epochs_case(e, n) for e, n in
              ((5, 32), (0.5, 7), (0.25, 2), (0.01, 10), (2.5, 3), (0, 100))]
    out = {
        "source": "large_batch_golden.py (NumPy float64 transcription of LAMB Alg. 2, LARS Alg. 1,"
                  " the poly schedule)",
        "steps": STEPS, "lrs": LRS, "blocks": BLOCKS,
        "params0": PARAMS0.tolist(), "grads": GRADS.tolist(),
        "optim": optim, "schedules": sched, "warmup_epochs": warmup,
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
