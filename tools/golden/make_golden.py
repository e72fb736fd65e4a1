#!/usr/bin/python3
"""Golden files for the training engine, computed by PyTorch autograd in float64.

Run with Debian's interpreter (it has python3-torch):  /usr/bin/python3 tools/golden/make_golden.py
Writes tests/Training.Tests/golden/<model>.json. Every input (samples, targets, parameters) is drawn here
with numpy's fixed seed and stored in the file, so the C# tests need no random-number agreement.

Parameter layouts are the engine's flat layouts (see each model's doc comment in src/Training/Models).
The loss is the plain mean squared error (no 1/2), as torch.nn.MSELoss.
"""
import json
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "Training.Tests", "golden")
ACT = {
    "tanh": torch.tanh,
    "relu": torch.relu,
    "sigmoid": torch.sigmoid,
    "identity": lambda z: z,
}


def take(theta, pos, count, shape=None):
    t = theta[pos[0]:pos[0] + count]
    pos[0] += count
    return t.reshape(shape) if shape is not None else t


def two_layer(spec, theta, x):
    d, m = spec["d"], spec["width"]
    pos = [0]
    w = take(theta, pos, m * d, (m, d))
    b = take(theta, pos, m) if spec["hiddenBias"] else torch.zeros(m)
    a = take(theta, pos, m)
    c = take(theta, pos, 1)[0] if spec["outputBias"] else 0.0
    return ACT[spec["activation"]](x @ w.T + b) @ a + c


def conv1d(spec, theta, x):
    d, n, s, shared = spec["d"], spec["width"], spec["kernelSize"], spec["shared"]
    p = d - s + 1
    sets = n if shared else n * p
    pos = [0]
    k = take(theta, pos, sets * s, (n, 1, s) if shared else (n, p, s))
    c = take(theta, pos, sets, (n, 1) if shared else (n, p)) if spec["hiddenBias"] else torch.zeros(n, 1)
    a = take(theta, pos, n * p, (n, p))
    cout = take(theta, pos, 1)[0] if spec["outputBias"] else 0.0
    windows = x.unfold(1, s, 1)  # count × p × s
    z = torch.einsum("ips,kps->ikp", windows, k.expand(n, p, s)) + c
    return torch.einsum("ikp,kp->i", ACT[spec["activation"]](z), a) + cout


def matrix_factorization(spec, theta, entries):
    d = spec["d"]
    a = theta[:d * d].reshape(d, d)
    b = theta[d * d:].reshape(d, d)
    return (a @ b).reshape(-1)[entries]


def linear_l(spec, theta, x):
    return theta[0] + x @ theta[1:]


def linear_nl(spec, theta, x):
    return theta[0] + theta[1] * x[:, 0] + theta[2] * theta[3] * x[:, 1]


def diag_squares(spec, theta, x):
    d = spec["d"]
    return x @ (theta[:d] ** 2 - theta[d:] ** 2)


def diag_product(spec, theta, x):
    d, depth = spec["d"], spec["depth"]
    return x @ torch.prod(theta.reshape(depth, d), dim=0)


def deep_fc(spec, theta, x):
    d, m, depth = spec["d"], spec["width"], spec["depth"]
    pos = [0]
    h = x
    for layer in range(depth):
        fan_in = d if layer == 0 else m
        fan_out = 1 if layer == depth - 1 else m
        w = take(theta, pos, fan_in * fan_out, (fan_out, fan_in))
        bias = spec["outputBias"] if layer == depth - 1 else spec["hiddenBias"]
        z = h @ w.T + (take(theta, pos, fan_out) if bias else 0.0)
        h = z if layer == depth - 1 else ACT[spec["activation"]](z)
    return h[:, 0]


def param_count(spec):
    kind, d = spec["kind"], spec["d"]
    m = spec.get("width", 0)
    if kind == "TwoLayer":
        return m * d + (m if spec["hiddenBias"] else 0) + m + (1 if spec["outputBias"] else 0)
    if kind in ("Cnn1d", "LocallyConnected1d"):
        s = spec["kernelSize"]
        p = d - s + 1
        sets = m if spec["shared"] else m * p
        return sets * s + (sets if spec["hiddenBias"] else 0) + m * p + (1 if spec["outputBias"] else 0)
    if kind == "MatrixFactorization":
        return 2 * d * d
    if kind == "LinearL":
        return d + 1
    if kind == "LinearNL":
        return 4
    if kind == "DiagonalSquares":
        return 2 * d
    if kind == "DiagonalProduct":
        return spec["depth"] * d
    if kind == "DeepFc":
        total, fan_in = 0, d
        for layer in range(spec["depth"]):
            fan_out = 1 if layer == spec["depth"] - 1 else m
            bias = spec["outputBias"] if layer == spec["depth"] - 1 else spec["hiddenBias"]
            total += fan_in * fan_out + (fan_out if bias else 0)
            fan_in = m
        return total
    raise ValueError(kind)


FORWARD = {
    "TwoLayer": two_layer, "Cnn1d": conv1d, "LocallyConnected1d": conv1d,
    "MatrixFactorization": matrix_factorization, "LinearL": linear_l, "LinearNL": linear_nl,
    "DiagonalSquares": diag_squares, "DiagonalProduct": diag_product, "DeepFc": deep_fc,
}


def spec(kind, d, **kw):
    s = {"kind": kind, "d": d, "width": 0, "activation": "tanh", "hiddenBias": False, "outputBias": False,
         "kernelSize": 0, "depth": 0, "shared": kind == "Cnn1d", "lr": 0.05, "weightDecay": 0.0, "theta_scale": 0.5}
    s.update(kw)
    return s


CASES = {
    "two-layer-tanh": spec("TwoLayer", 4, width=6),
    "two-layer-tanh-biases": spec("TwoLayer", 4, width=6, hiddenBias=True, outputBias=True, weightDecay=1e-3),
    "two-layer-relu-bias": spec("TwoLayer", 3, width=5, activation="relu", hiddenBias=True),
    "two-layer-sigmoid": spec("TwoLayer", 3, width=5, activation="sigmoid", outputBias=True),
    "two-layer-identity": spec("TwoLayer", 3, width=5, activation="identity", hiddenBias=True),
    "cnn": spec("Cnn1d", 5, width=2, kernelSize=3, hiddenBias=True),
    "locally-connected": spec("LocallyConnected1d", 5, width=2, kernelSize=3, hiddenBias=True, outputBias=True),
    "mf": spec("MatrixFactorization", 4, lr=0.02),
    "linear-l": spec("LinearL", 2),
    "linear-nl": spec("LinearNL", 2),
    "diag-squares": spec("DiagonalSquares", 5),
    "diag-product": spec("DiagonalProduct", 5, depth=3, theta_scale=0.8),
    "deep-fc": spec("DeepFc", 3, width=5, depth=3, hiddenBias=True, outputBias=True),
}


def make(name, s, rng, steps=100, n=8):
    count = param_count(s)
    theta0 = rng.normal(0.0, s["theta_scale"], count)
    y = rng.normal(0.0, 1.0, n)
    if s["kind"] == "MatrixFactorization":
        inputs = torch.tensor(rng.choice(s["d"] * s["d"], n, replace=False))
        record_inputs = {"entries": inputs.tolist()}
    else:
        inputs = torch.tensor(rng.normal(0.0, 1.0, (n, s["d"])))
        record_inputs = {"x": inputs.reshape(-1).tolist()}
    target = torch.tensor(y)
    forward = FORWARD[s["kind"]]

    theta = torch.tensor(theta0, requires_grad=True)
    f = forward(s, theta, inputs)
    loss = torch.mean((f - target) ** 2)
    (grad,) = torch.autograd.grad(loss, theta)

    # Full-batch gradient descent with L2 weight decay: theta -= lr * (grad + wd * theta).
    t = torch.tensor(theta0)
    losses = []
    for _ in range(steps):
        t.requires_grad_(True)
        step_loss = torch.mean((forward(s, t, inputs) - target) ** 2)
        (g,) = torch.autograd.grad(step_loss, t)
        losses.append(step_loss.item())
        with torch.no_grad():
            t = t - s["lr"] * (g + s["weightDecay"] * t)
    final_loss = torch.mean((forward(s, t, inputs) - target) ** 2).item()

    return {
        "name": name,
        "spec": {k: v for k, v in s.items() if k != "theta_scale"},
        "n": n,
        **record_inputs,
        "y": y.tolist(),
        "theta": theta0.tolist(),
        "output": f.detach().tolist(),
        "loss": loss.item(),
        "grad": grad.tolist(),
        "steps": steps,
        "losses": losses,
        "final_loss": final_loss,
        "final_theta": t.detach().tolist(),
    }


OPTIMIZERS = {
    "sgd-momentum": lambda p: torch.optim.SGD([p], lr=0.05, momentum=0.9, weight_decay=1e-2),
    "adam": lambda p: torch.optim.Adam([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2),
    "adamw": lambda p: torch.optim.AdamW([p], lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-1),
}


def make_optimizers(record, steps=50):
    """Trajectories of torch.optim on the same problem as one golden model file."""
    s = record["spec"]
    inputs = torch.tensor(record["x"]).reshape(record["n"], s["d"])
    target = torch.tensor(record["y"])
    out = {"model": record["name"], "steps": steps}
    for name, make_opt in OPTIMIZERS.items():
        p = torch.tensor(record["theta"], requires_grad=True)
        opt = make_opt(p)
        losses = []
        for _ in range(steps):
            opt.zero_grad()
            loss = torch.mean((FORWARD[s["kind"]](s, p, inputs) - target) ** 2)
            loss.backward()
            losses.append(loss.item())
            opt.step()
        out[name] = {"losses": losses, "final_theta": p.detach().tolist()}
    return out


def main():
    os.makedirs(os.path.join(OUT, "optimizers"), exist_ok=True)
    rng = np.random.default_rng(20260101)
    records = {}
    for name, s in CASES.items():
        record = make(name, s, rng)
        records[name] = record
        with open(os.path.join(OUT, f"{name}.json"), "w") as fh:
            json.dump(record, fh, indent=1)
        print(f"{name}: {param_count(s)} params, loss {record['loss']:.6g} -> {record['final_loss']:.6g}")
    with open(os.path.join(OUT, "optimizers", "two-layer-tanh-biases.json"), "w") as fh:
        json.dump(make_optimizers(records["two-layer-tanh-biases"]), fh, indent=1)


if __name__ == "__main__":
    main()
