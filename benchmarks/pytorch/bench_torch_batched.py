#!/usr/bin/python3
"""PyTorch (CPU) peer of the batched cases of `sweep bench`: B independent trials of one tiny model trained as one
stacked model (batched matmuls / einsum over a leading trial dimension), the way PyTorch trains many small models
at once. The loss is the sum over trials of each trial's own MSE, so each trial gets exactly its own gradient.

    /usr/bin/python3 benchmarks/pytorch/bench_torch_batched.py [--quick] [--trials 256] [--threads 1]

Cases (src/Training/TrainingBench.cs, TinyCaseNames): e1-fnl-n3 (f = t0 + t1 x1 + t2 t3 x2, n = 3),
quickstart-m4-n6 (two-layer tanh, width 4, d = 1, biases, n = 6), cnn-n1-n20 (one kernel of size 3 over d = 5,
bias, n = 20), fc-n1-n20 (two-layer tanh, width 3, d = 5, hidden bias, n = 20), mc-d4-n8 (f = AB, 4x4, 8
observed entries). Full-batch GD with torch.optim.SGD. Reported per trial-step: the time of one step of the
stacked model divided by B. Timing as bench_torch.py: warm-up, groups of about 200 us, fastest group.
"""
import argparse
import json
import time

import torch

CASES = ["e1-fnl-n3", "quickstart-m4-n6", "cnn-n1-n20", "fc-n1-n20", "mc-d4-n8"]


def make_case(name, b, dtype, gen):
    def randn(*shape, scale=1.0):
        return scale * torch.randn(*shape, generator=gen, dtype=dtype)

    if name == "e1-fnl-n3":
        x = 2 * torch.rand(b, 3, 2, generator=gen, dtype=dtype) - 1
        y = 1 + x[:, :, 0]
        t = randn(b, 4, scale=1e-4).requires_grad_()

        def f():
            return t[:, :1] + t[:, 1:2] * x[:, :, 0] + (t[:, 2:3] * t[:, 3:4]) * x[:, :, 1]
        return [t], f, y
    if name in ("quickstart-m4-n6", "fc-n1-n20"):
        m, d, n, scale = (4, 1, 6, 1e-3) if name.startswith("quickstart") else (3, 5, 20, 1e-10)
        x = randn(b, n, d)
        if d == 1:
            y = 1.2 * torch.tanh(1.5 * x[:, :, 0] + 0.5)
        else:
            y = sum(torch.tanh(0.6 * x[:, :, s] + 0.8 * x[:, :, s + 1] + 1.0 * x[:, :, s + 2]) for s in range(3))
        w = randn(b, m, d, scale=scale).requires_grad_()
        bias = randn(b, 1, m, scale=scale).requires_grad_()
        a = randn(b, m, 1, scale=scale).requires_grad_()

        def f():
            return torch.bmm(torch.tanh(torch.bmm(x, w.transpose(1, 2)) + bias), a)[:, :, 0]
        return [w, bias, a], f, y
    if name == "cnn-n1-n20":
        n, d, s = 20, 5, 3
        x = randn(b, n, d)
        y = sum(torch.tanh(0.6 * x[:, :, p] + 0.8 * x[:, :, p + 1] + 1.0 * x[:, :, p + 2]) for p in range(3))
        patches = x.unfold(2, s, 1)  # (b, n, positions, taps)
        k = randn(b, 1, 1, s, scale=1e-10).requires_grad_()
        c = randn(b, 1, 1, scale=1e-10).requires_grad_()
        a = randn(b, 1, d - s + 1, scale=1e-10).requires_grad_()

        def f():
            h = torch.tanh((patches * k).sum(-1) + c)  # (b, n, positions)
            return (h * a).sum(-1)
        return [k, c, a], f, y
    if name == "mc-d4-n8":
        d, n = 4, 8
        target = torch.bmm(randn(b, d, 1), randn(b, 1, d)).reshape(b, -1)
        idx = torch.stack([torch.randperm(d * d, generator=gen)[:n] for _ in range(b)])
        y = torch.gather(target, 1, idx)
        a_ = randn(b, d, d, scale=1e-4).requires_grad_()
        b_ = randn(b, d, d, scale=1e-4).requires_grad_()

        def f():
            return torch.gather(torch.bmm(a_, b_).reshape(b, -1), 1, idx)
        return [a_, b_], f, y
    raise ValueError(name)


def time_case(name, b, dtype, seconds):
    gen = torch.Generator().manual_seed(1)
    params, f, y = make_case(name, b, dtype, gen)
    lr = {"e1-fnl-n3": 0.01, "quickstart-m4-n6": 0.1, "mc-d4-n8": 0.01}.get(name, 0.05)
    opt = torch.optim.SGD(params, lr=lr)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = ((f() - y) ** 2).mean(dim=1).sum()
        loss.backward()
        opt.step()

    start = time.perf_counter()
    steps = 0
    while time.perf_counter() - start < min(0.3, seconds) or steps < 3:
        step()
        steps += 1
    estimate = (time.perf_counter() - start) / steps
    group = max(1, int(200e-6 / estimate))
    best = float("inf")
    total = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or total < 5 * group:
        t0 = time.perf_counter()
        for _ in range(group):
            step()
        best = min(best, (time.perf_counter() - t0) / group)
        total += group
    return {
        "case": "batch-" + name,
        "precision": "float32" if dtype == torch.float32 else "float64",
        "trials": b,
        "us_per_step": best * 1e6 / b,
        "trial_steps_per_s": b / best,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="about 0.1 s per case instead of 1 s")
    parser.add_argument("--trials", type=int, default=256, help="trials stacked into one model (default 256)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("cases", nargs="*", default=CASES)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = [time_case(c, args.trials, dt, 0.1 if args.quick else 1.0) for c in args.cases for dt in (torch.float32, torch.float64)]
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "results": results}, indent=1))


if __name__ == "__main__":
    main()
