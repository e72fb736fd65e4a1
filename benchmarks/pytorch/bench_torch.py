#!/usr/bin/python3
"""PyTorch (CPU) peer of `sweep bench`: the same standard cases, timed the same way, printed as JSON.

Run with Debian's interpreter, which has python3-torch:
    /usr/bin/python3 benchmarks/pytorch/bench_torch.py [--quick] [--threads N]

Cases (issue 3): two-layer tanh without biases on a 3-neuron tanh teacher, x ~ N(0, I_10), MSE, full-batch
GD, (m, n) in {(50, 50), (100, 200), (1000, 2000)}; matrix completion f = AB on n observed entries, d = 4,
n = 8 and d = 32, n = 400. Each in float32 and float64. One step = forward, loss, backward, optimizer step,
written the idiomatic way (nn.Module-free tensors, torch.optim.SGD).

Timing matches TrainingBench: warm up, then groups of steps lasting about 200 us; us_per_step is the
fastest group (the least disturbed on a shared machine), cpu_us_per_step the process CPU time per step.
"""
import argparse
import json
import time

import torch

CASES = ["tanh-m50-n50", "tanh-m100-n200", "tanh-m1000-n2000", "mc-d4-n8", "mc-d32-n400"]


def make_case(name, dtype, gen):
    if name.startswith("tanh-m"):
        m, n = (int(v) for v in name[len("tanh-m"):].split("-n"))
        d, k = 10, 3
        x = torch.randn(n, d, generator=gen, dtype=dtype)
        teacher_w = torch.randn(k, d, generator=gen, dtype=dtype)
        teacher_a = torch.randn(k, generator=gen, dtype=dtype)
        y = torch.tanh(x @ teacher_w.T) @ teacher_a
        w = (0.01 * torch.randn(m, d, generator=gen, dtype=dtype)).requires_grad_()
        a = (0.01 * torch.randn(m, generator=gen, dtype=dtype)).requires_grad_()
        params = [w, a]

        def loss_fn():
            return torch.mean((torch.tanh(x @ w.T) @ a - y) ** 2)
    else:
        d, n = (int(v) for v in name[len("mc-d"):].split("-n"))
        r = max(1, d // 8)
        target = (torch.randn(d, r, generator=gen, dtype=dtype) @ torch.randn(r, d, generator=gen, dtype=dtype)).reshape(-1)
        idx = torch.randperm(d * d, generator=gen)[:n]
        y = target[idx]
        a = (1e-4 * torch.randn(d, d, generator=gen, dtype=dtype)).requires_grad_()
        b = (1e-4 * torch.randn(d, d, generator=gen, dtype=dtype)).requires_grad_()
        params = [a, b]

        def loss_fn():
            return torch.mean(((a @ b).reshape(-1)[idx] - y) ** 2)
    return params, loss_fn


def time_case(name, dtype, seconds):
    gen = torch.Generator().manual_seed(1)
    params, loss_fn = make_case(name, dtype, gen)
    opt = torch.optim.SGD(params, lr=0.01)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn()
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
    cpu0 = time.process_time()
    start = time.perf_counter()
    while time.perf_counter() - start < seconds or total < 5 * group:
        t0 = time.perf_counter()
        for _ in range(group):
            step()
        best = min(best, (time.perf_counter() - t0) / group)
        total += group
    cpu = (time.process_time() - cpu0) / total
    return {
        "case": name,
        "precision": "float32" if dtype == torch.float32 else "float64",
        "us_per_step": best * 1e6,
        "cpu_us_per_step": cpu * 1e6,
        "steps": total,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="about 0.1 s per case instead of 1 s")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1: one trial per thread)")
    parser.add_argument("cases", nargs="*", default=CASES)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    results = [time_case(c, dt, 0.1 if args.quick else 1.0) for c in args.cases for dt in (torch.float32, torch.float64)]
    print(json.dumps({"torch": torch.__version__, "threads": args.threads, "results": results}, indent=1))


if __name__ == "__main__":
    main()
