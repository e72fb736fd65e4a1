"""A sweep program with nothing but the standard library (docs/programs.md): a two-layer tanh network with a bias per
neuron learns the one-neuron teacher y = 1.2 tanh(1.5 x + 0.5) from `sample_size` Gaussian points by full-batch
gradient descent. Gradients are written out by hand.

Shapes: x, y: [n]; the student f(x) = sum_j a[j] tanh(w[j] x + b[j]) has a, w, b: [width].
Reads the trial from $SWEEP_TRIAL (width, learning_rate, init_scale, sample_size, seed) and writes
{test_error, train_loss, steps, param_count} to $SWEEP_RESULT.
"""
import argparse
import json
import math
import os
import random

parser = argparse.ArgumentParser()
parser.add_argument("--max-steps", type=int, default=20000)
parser.add_argument("--loss-tolerance", type=float, default=1e-12)
args = parser.parse_args()

with open(os.environ["SWEEP_TRIAL"]) as f:
    trial = json.load(f)
n, m = int(trial["sample_size"]), int(trial["width"])
lr, scale, seed = float(trial["learning_rate"]), float(trial["init_scale"]), int(trial["seed"])


def teacher(x):
    return 1.2 * math.tanh(1.5 * x + 0.5)


# Data depends on the seed only, so trials that differ in tuned hyperparameters see the same points.
data = random.Random(seed)
xs = [data.gauss(0, 1) for _ in range(n)]
ys = [teacher(x) for x in xs]
test = random.Random(10_000 + seed)
test_xs = [test.gauss(0, 1) for _ in range(500)]
init = random.Random(20_000 + seed)
a = [scale * init.gauss(0, 1) for _ in range(m)]
w = [scale * init.gauss(0, 1) for _ in range(m)]
b = [scale * init.gauss(0, 1) for _ in range(m)]


def predict(x):
    return sum(a[j] * math.tanh(w[j] * x + b[j]) for j in range(m))


loss, step = float("inf"), 0
for step in range(1, args.max_steps + 1):
    ga, gw, gb = [0.0] * m, [0.0] * m, [0.0] * m
    loss = 0.0
    for x, y in zip(xs, ys):
        h = [math.tanh(w[j] * x + b[j]) for j in range(m)]
        r = sum(a[j] * h[j] for j in range(m)) - y          # residual of 0.5 r^2, averaged over n
        loss += 0.5 * r * r / n
        for j in range(m):
            ga[j] += r * h[j] / n
            dz = r * a[j] * (1 - h[j] * h[j]) / n
            gw[j] += dz * x
            gb[j] += dz
    if not math.isfinite(loss) or loss > 1e6:
        loss = float("nan")
        break
    if loss < args.loss_tolerance:
        break
    for j in range(m):
        a[j] -= lr * ga[j]
        w[j] -= lr * gw[j]
        b[j] -= lr * gb[j]

test_error = float("nan") if math.isnan(loss) else sum((predict(x) - teacher(x)) ** 2 for x in test_xs) / len(test_xs)
with open(os.environ["SWEEP_RESULT"], "w") as f:
    json.dump({"test_error": test_error, "train_loss": loss, "steps": step, "param_count": 3 * m}, f)
print(f"trial {trial['trial_id']}: n={n} width={m} lr={lr} init={scale} steps={step} "
      f"train_loss={loss:.3g} test_error={test_error:.3g}")
