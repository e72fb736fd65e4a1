"""A sweep program in PyTorch (docs/programs.md): a two-layer tanh MLP learns a random two-layer teacher by
full-batch gradient descent, on the GPU the node gives this trial (CUDA_VISIBLE_DEVICES) or on the CPU without one.

Shapes: inputs x: [n, d]; teacher and student f(x) = tanh(x W1^T + b1) w2, W1: [width, d], b1: [width], w2: [width].
Reads the trial from $SWEEP_TRIAL (width, learning_rate, init_scale, sample_size, seed) and writes
{test_error, train_loss, steps, param_count, device} to $SWEEP_RESULT; a checkpoint of the trained student goes to
$SWEEP_TRIAL_DIR.
"""
import argparse
import json
import math
import os
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--input-dim", type=int, default=4)
parser.add_argument("--teacher-width", type=int, default=2)
parser.add_argument("--max-steps", type=int, default=2000)
parser.add_argument("--loss-tolerance", type=float, default=1e-10)
parser.add_argument("--test-size", type=int, default=2000)
args = parser.parse_args()

with open(os.environ["SWEEP_TRIAL"]) as f:
    trial = json.load(f)
n, width, seed = int(trial["sample_size"]), int(trial["width"]), int(trial["seed"])
lr, scale = float(trial["learning_rate"]), float(trial["init_scale"])
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
dtype, d, k = torch.float64, args.input_dim, args.teacher_width


def mlp(x, w1, b1, w2):
    return torch.tanh(x @ w1.T + b1) @ w2


# The teacher is the same for every trial; the data depends on the seed only, so trials that differ in tuned
# hyperparameters see the same points, and the first n points are the same for every sample size.
teacher = torch.Generator().manual_seed(12345)
t_w1, t_b1, t_w2 = (torch.randn(k, d, generator=teacher, dtype=dtype), torch.randn(k, generator=teacher, dtype=dtype),
                    torch.randn(k, generator=teacher, dtype=dtype))
data = torch.Generator().manual_seed(seed)
x = torch.randn(1024, d, generator=data, dtype=dtype)[:n]
x_test = torch.randn(args.test_size, d, generator=torch.Generator().manual_seed(10_000 + seed), dtype=dtype)
init = torch.Generator().manual_seed(20_000 + seed)
params = [scale * torch.randn(width, d, generator=init, dtype=dtype), scale * torch.randn(width, generator=init, dtype=dtype),
          scale * torch.randn(width, generator=init, dtype=dtype)]
t_w1, t_b1, t_w2, x, x_test = (t.to(device) for t in (t_w1, t_b1, t_w2, x, x_test))
params = [p.to(device).requires_grad_() for p in params]
y, y_test = mlp(x, t_w1, t_b1, t_w2), mlp(x_test, t_w1, t_b1, t_w2)

optimizer = torch.optim.SGD(params, lr=lr)
started, loss, step = time.perf_counter(), float("inf"), 0
for step in range(1, args.max_steps + 1):
    optimizer.zero_grad(set_to_none=True)
    objective = 0.5 * (mlp(x, *params) - y).pow(2).mean()
    loss = objective.item()
    if not math.isfinite(loss) or loss < args.loss_tolerance:
        break
    objective.backward()
    optimizer.step()

with torch.no_grad():
    test_error = (mlp(x_test, *params) - y_test).pow(2).mean().item() if math.isfinite(loss) else float("nan")
torch.save([p.detach().cpu() for p in params], os.path.join(os.environ["SWEEP_TRIAL_DIR"], "student.pt"))
with open(os.environ["SWEEP_RESULT"], "w") as f:
    json.dump({"test_error": test_error, "train_loss": loss, "steps": step, "param_count": width * (d + 2),
               "train_seconds": time.perf_counter() - started, "device": str(device)}, f)
print(f"trial {trial['trial_id']} on {device}: n={n} width={width} lr={lr} init={scale} steps={step} "
      f"train_loss={loss:.3g} test_error={test_error:.3g}")
