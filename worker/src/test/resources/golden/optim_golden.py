#!/usr/bin/env python3
"""Golden values for ringtrain's optimizers, clipping, LR schedules and LR scaling.

An independent NumPy (float64) transcription of the PyTorch algorithms as written in
torch/optim/{adamw,adam,sgd,rmsprop,adagrad}.py, torch/nn/utils/clip_grad.py and
torch/optim/lr_scheduler.py (OneCycleLR), plus LAMB and LARS as defined in DESIGN.md section 3.
Inputs are rounded to float32 first so the Java side sees exactly the same numbers.

Run:  python3 optim_golden.py > optim_golden.json
"""
import json
import math

import numpy as np

STEPS = 5
# Two blocks: a weight matrix that decays and a bias that does not.
BLOCKS = [{"name": "0_W", "offset": 0, "length": 6, "decay": True},
          {"name": "0_b", "offset": 6, "length": 3, "decay": False}]
SIZE = 9
LRS = [0.01, 0.02, 0.015, 0.01, 0.005]

rng = np.random.default_rng(20240611)
f32 = lambda a: np.asarray(a, dtype=np.float32).astype(np.float64)
PARAMS0 = f32(rng.normal(0.0, 0.5, SIZE))
# Gradients of mixed magnitude; one bias entry is zero on the first step to exercise eps.
GRADS = f32(rng.normal(0.0, 1.0, (STEPS, SIZE)) * np.array([1, 0.1, 2, 0.01, 1, 0.5, 1, 3, 0.2]))
GRADS[0, 8] = 0.0

DEFAULTS = dict(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.1, momentum=0.9,
                nesterov=False, alpha=0.99, trust_coefficient=0.02)


def decay_mask():
    mask = np.zeros(SIZE)
    for b in BLOCKS:
        if b["decay"]:
            mask[b["offset"]:b["offset"] + b["length"]] = 1.0
    return mask


def blocks():
    for b in BLOCKS:
        yield slice(b["offset"], b["offset"] + b["length"]), b["decay"]


def adam_like(h, decoupled):
    """torch.optim.AdamW (decoupled) / torch.optim.Adam (weight_decay added to the gradient)."""
    p, m, v, mask = PARAMS0.copy(), np.zeros(SIZE), np.zeros(SIZE), decay_mask()
    wd, b1, b2, eps = h["weight_decay"], h["beta1"], h["beta2"], h["eps"]
    traj = []
    for t in range(1, STEPS + 1):
        lr, g = LRS[t - 1], GRADS[t - 1].copy()
        if decoupled:
            p = np.where(mask == 1, p * (1 - lr * wd), p)
        else:
            g = g + wd * p * mask
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
        denom = np.sqrt(v) / math.sqrt(bc2) + eps
        p = p - (lr / bc1) * m / denom
        traj.append(p.copy())
    return traj, {"adam_m": m, "adam_v": v}


def sgd(h, use_momentum):
    """torch.optim.SGD (dampening 0): the buffer is a clone of the first gradient."""
    p, buf, mask = PARAMS0.copy(), None, decay_mask()
    wd, mu = h["weight_decay"], h["momentum"]
    traj = []
    for t in range(1, STEPS + 1):
        lr = LRS[t - 1]
        d = GRADS[t - 1] + wd * p * mask
        if use_momentum:
            buf = d.copy() if buf is None else mu * buf + d
            d = d + mu * buf if h["nesterov"] else buf
        p = p - lr * d
        traj.append(p.copy())
    return traj, ({"momentum": buf} if use_momentum else {})


def rmsprop(h):
    """torch.optim.RMSprop, centered=False, momentum=0."""
    p, sq, mask = PARAMS0.copy(), np.zeros(SIZE), decay_mask()
    traj = []
    for t in range(1, STEPS + 1):
        lr = LRS[t - 1]
        g = GRADS[t - 1] + h["weight_decay"] * p * mask
        sq = h["alpha"] * sq + (1 - h["alpha"]) * g * g
        p = p - lr * g / (np.sqrt(sq) + h["eps"])
        traj.append(p.copy())
    return traj, {"square_avg": sq}


def adagrad(h):
    """torch.optim.Adagrad, lr_decay=0, initial_accumulator_value=0, eps=1e-10."""
    p, s, mask = PARAMS0.copy(), np.zeros(SIZE), decay_mask()
    traj = []
    for t in range(1, STEPS + 1):
        lr = LRS[t - 1]
        g = GRADS[t - 1] + h["weight_decay"] * p * mask
        s = s + g * g
        p = p - lr * g / (np.sqrt(s) + 1e-10)
        traj.append(p.copy())
    return traj, {"sum": s}


def lamb(h):
    """LAMB: bias-corrected Adam direction plus decoupled decay, scaled per decaying block by
    ||p||/||r||; no-decay blocks take the plain direction (trust 1)."""
    p, m, v = PARAMS0.copy(), np.zeros(SIZE), np.zeros(SIZE)
    b1, b2, eps, wd = h["beta1"], h["beta2"], h["eps"], h["weight_decay"]
    traj = []
    for t in range(1, STEPS + 1):
        lr, g = LRS[t - 1], GRADS[t - 1]
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mhat, vhat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        new = p.copy()
        for sl, decay in blocks():
            r = mhat[sl] / (np.sqrt(vhat[sl]) + eps) + (wd * p[sl] if decay else 0.0)
            pn, rn = np.linalg.norm(p[sl]), np.linalg.norm(r)
            trust = pn / rn if decay and pn > 0 and rn > 0 else 1.0
            new[sl] = p[sl] - lr * trust * r
        p = new
        traj.append(p.copy())
    return traj, {"adam_m": m, "adam_v": v}


def lars(h):
    """LARS: per decaying block trust = c||p||/(||g|| + wd||p||); momentum over trust*(g + wd p)."""
    p, buf = PARAMS0.copy(), np.zeros(SIZE)
    c, wd, mu = h["trust_coefficient"], h["weight_decay"], h["momentum"]
    traj = []
    for t in range(1, STEPS + 1):
        lr, g = LRS[t - 1], GRADS[t - 1]
        for sl, decay in blocks():
            if decay:
                pn, gn = np.linalg.norm(p[sl]), np.linalg.norm(g[sl])
                trust = c * pn / (gn + wd * pn) if pn > 0 and gn > 0 else 1.0
                buf[sl] = mu * buf[sl] + trust * (g[sl] + wd * p[sl])
            else:
                buf[sl] = mu * buf[sl] + g[sl]
        p = p - lr * buf
        traj.append(p.copy())
    return traj, {"momentum": buf}


def optim_case(name, algo, **over):
    h = dict(DEFAULTS, **over)
    run = {
        "adamw": lambda: adam_like(h, True),
        "adam": lambda: adam_like(h, False),
        "sgd": lambda: sgd(h, False),
        "momentum": lambda: sgd(h, True),
        "rmsprop": lambda: rmsprop(h),
        "adagrad": lambda: adagrad(h),
        "lamb": lambda: lamb(h),
        "lars": lambda: lars(h),
    }[algo]
    traj, state = run()
    return {"case": name, "optim": dict(h, name=algo),
            "params_after_step": [x.tolist() for x in traj],
            "state": {k: v.tolist() for k, v in state.items()}}


def clip_norm_case(name, grad, max_norm):
    """torch.nn.utils.clip_grad_norm_ on one flat tensor."""
    g = f32(grad)
    total = float(np.sqrt(np.sum(g * g)))
    coef = max_norm / (total + 1e-6)
    out = g * coef if max_norm > 0 and coef < 1 else g
    return {"case": name, "grad": g.tolist(), "max_norm": max_norm, "norm": total,
            "clipped": out.tolist()}


def clip_value_case(name, grad, value):
    g = f32(grad)
    return {"case": name, "grad": g.tolist(), "clip_value": value,
            "clipped": np.clip(g, -value, value).tolist()}


# ---- schedules -------------------------------------------------------------------------------

def warmup(peak, w, s):
    return peak * (s + 1) / w


def warmup_cosine(c, peak, total, s):
    w, lo = c["warmup_steps"], c["min_lr"]
    if s < w:
        return warmup(peak, w, s)
    progress = min(1.0, (s - w) / (total - w)) if total > w else 1.0
    return lo + 0.5 * (peak - lo) * (1 + math.cos(math.pi * progress))


def step_like(c, peak, total, s, gamma, size):
    w = c["warmup_steps"]
    if s < w:
        return warmup(peak, w, s)
    return peak * gamma ** ((s - w) // size)


def one_cycle(c, peak, total, s):
    """torch.optim.lr_scheduler.OneCycleLR.get_lr with anneal_strategy='cos', three_phase=False."""
    initial = peak / c["div_factor"]
    final = initial / c["final_div_factor"]
    phases = [(float(c["pct_start"] * total) - 1, initial, peak), (total - 1, peak, final)]
    start = 0
    for i, (end, lr0, lr1) in enumerate(phases):
        if s <= end or i == len(phases) - 1:
            pct = (s - start) / (end - start)
            return lr1 + (lr0 - lr1) / 2.0 * (math.cos(math.pi * pct) + 1)
        start = end


def wsd(c, peak, total, s):
    """Warmup, stable, then linear decay reaching min_lr at step T-1 over D = round_half_up(f*T)."""
    w, lo = c["warmup_steps"], c["min_lr"]
    if s < w:
        return warmup(peak, w, s)
    d = math.floor(c["decay_fraction"] * total + 0.5)
    start = max(w, total - d)
    if d == 0 or total <= start or s < start:
        return peak
    return peak + (lo - peak) * min(1.0, (s - start + 1) / (total - start))


SCHED_DEFAULTS = dict(warmup_steps=10, min_lr=0.0, step_size=30, gamma=0.5, pct_start=0.3,
                      div_factor=25.0, final_div_factor=1e4, decay_fraction=0.2)


def schedule_case(name, kind, peak, total, steps, **over):
    c = dict(SCHED_DEFAULTS, **over)
    f = {
        "warmup_cosine": lambda s: warmup_cosine(c, peak, total, s),
        "constant": lambda s: step_like(c, peak, total, s, 1.0, 1),
        "step": lambda s: step_like(c, peak, total, s, c["gamma"], c["step_size"]),
        "exponential": lambda s: step_like(c, peak, total, s, c["gamma"], 1),
        "one_cycle": lambda s: one_cycle(c, peak, total, s),
        "wsd": lambda s: wsd(c, peak, total, s),
    }[kind]
    return {"case": name, "schedule": dict(c, name=kind), "peak": peak, "total": total,
            "lr": [[s, f(s)] for s in steps]}


def scaling_case(lr, base, batch, rule):
    ratio = batch / base
    factor = {"linear": ratio, "sqrt": math.sqrt(ratio), "none": 1.0}[rule]
    return {"lr": lr, "base_batch": base, "global_batch": batch, "scaling": rule,
            "peak": lr * factor}


def main():
    optim = [
        optim_case("adamw", "adamw"),
        optim_case("adam_l2", "adam"),
        optim_case("adamw_no_decay", "adamw", weight_decay=0.0),
        optim_case("adam_no_decay", "adam", weight_decay=0.0),
        optim_case("adamw_betas", "adamw", beta1=0.5, beta2=0.9, eps=1e-3),
        optim_case("sgd", "sgd"),
        optim_case("momentum", "momentum"),
        optim_case("momentum_nesterov", "momentum", nesterov=True),
        optim_case("momentum_no_decay", "momentum", weight_decay=0.0, momentum=0.5),
        optim_case("rmsprop", "rmsprop"),
        optim_case("adagrad", "adagrad"),
        optim_case("lamb", "lamb"),
        optim_case("lars", "lars"),
    ]
    g = [3.0, -4.0, 0.5, 1.0, -2.0, 0.25, 7.0, -1.5, 0.0]
    clip = [
        clip_norm_case("triggers", g, 1.0),
        clip_norm_case("below_max", g, 100.0),
        clip_norm_case("off", g, 0.0),
        clip_norm_case("zero_gradient", [0.0] * 9, 1.0),
    ]
    clip_value = [clip_value_case("value", g, 1.0)]
    T = 100
    sched = [
        schedule_case("warmup_cosine", "warmup_cosine", 0.1, T, [0, 4, 9, 10, 55, 99, 100, 150],
                      min_lr=0.001),
        schedule_case("warmup_cosine_no_warmup", "warmup_cosine", 0.1, T, [0, 1, 50, 99],
                      warmup_steps=0),
        schedule_case("warmup_cosine_total_le_warmup", "warmup_cosine", 0.1, 5, [0, 4, 5, 9]),
        schedule_case("constant", "constant", 0.1, T, [0, 9, 10, 99]),
        schedule_case("step", "step", 0.1, T, [0, 9, 10, 39, 40, 70, 99]),
        schedule_case("exponential", "exponential", 0.1, T, [0, 9, 10, 11, 20, 99],
                      gamma=0.9),
        schedule_case("one_cycle", "one_cycle", 0.1, T, [0, 1, 15, 29, 30, 50, 98, 99]),
        schedule_case("one_cycle_odd", "one_cycle", 0.2, 37,
                      [0, 1, 5, 9, 10, 20, 36], pct_start=0.25, div_factor=10.0,
                      final_div_factor=100.0),
        schedule_case("wsd", "wsd", 0.1, T, [0, 9, 10, 50, 79, 80, 81, 90, 99, 120],
                      min_lr=0.01),
        schedule_case("wsd_odd", "wsd", 0.1, 33, [0, 9, 10, 25, 26, 27, 30, 32],
                      decay_fraction=0.25),
    ]
    scaling = [scaling_case(0.001, 128, b, r) for r in ("linear", "sqrt", "none")
               for b in (128, 512, 4096, 96)]
    out = {
        "source": "optim_golden.py (NumPy float64 transcription of the PyTorch formulas)",
        "steps": STEPS, "lrs": LRS, "blocks": BLOCKS,
        "params0": PARAMS0.tolist(), "grads": GRADS.tolist(),
        "optim": optim, "clip_norm": clip, "clip_value": clip_value,
        "schedules": sched, "scaling": scaling,
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
