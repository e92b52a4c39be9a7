"""W1 and W2 in PyTorch on the CPU: the reference the vaekit figures are divided by, so the same workloads
as apps/bench/src/workload.ts, op for op, to compare like with like. Prints the first step's time
("first 0 <ms>"), one line per measured step ("step <i> <ms>"), one per encode repeat ("encode <i> <ms>"),
then "info <json>". Run by apps/bench inside its own virtualenv; also runnable by hand."""
import argparse
import json
import resource
import time

import torch
from torch import nn

INPUT, HIDDEN, LATENT, BATCH, ENCODE_N = 784, 512, 32, 128, 1024


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


class Vae(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = mlp([INPUT, HIDDEN, HIDDEN, 2 * LATENT])
        self.decoder = mlp([LATENT, HIDDEN, HIDDEN, INPUT])

    def encode(self, x):
        mean, log_var = self.encoder(x).chunk(2, dim=1)
        return mean, log_var

    def loss(self, x):
        mean, log_var = self.encode(x)
        z = mean + torch.exp(0.5 * log_var) * torch.randn_like(mean)
        logits = self.decoder(z)
        rec = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="sum")
        kl = -0.5 * torch.sum(1 + log_var - mean.pow(2) - log_var.exp())
        return (rec + kl) / x.shape[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--encode-repeats", type=int, default=20)
    parser.add_argument("--budget-ms", type=float, default=0, help="stop after this much step time once 3 steps are in")
    parser.add_argument("--threads", type=int, default=0, help="intra-op threads (0: PyTorch's default)")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    pool = (torch.rand(8 * BATCH, INPUT, generator=gen) < 0.5).float()
    model = Vae()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7)

    spent = 0.0
    for i in range(args.warmup + args.steps):
        x = pool[(i % 8) * BATCH:(i % 8 + 1) * BATCH]
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = model.loss(x)
        loss.backward()
        opt.step()
        loss.item()
        ms = (time.perf_counter() - t0) * 1000
        if i == 0:
            # Reported beside the compiled implementations' first calls (eager PyTorch has nothing to compile).
            print(f"first 0 {ms:.4f}", flush=True)
        if i >= args.warmup:
            print(f"step {i - args.warmup} {ms:.4f}", flush=True)
            spent += ms
            if args.budget_ms and i - args.warmup >= 2 and spent > args.budget_ms:
                break

    x = (torch.rand(ENCODE_N, INPUT, generator=gen) < 0.5).float()
    spent = 0.0
    with torch.no_grad():
        for i in range(2 + args.encode_repeats):
            t0 = time.perf_counter()
            mean, _ = model.encode(x)
            mean.numpy()
            ms = (time.perf_counter() - t0) * 1000
            if i >= 2:
                print(f"encode {i - 2} {ms:.4f}", flush=True)
                spent += ms
                if args.budget_ms and i >= 4 and spent > args.budget_ms:
                    break

    info = {
        "name": "pytorch",
        "version": torch.__version__,
        "threads": torch.get_num_threads(),
        "maxRssBytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    print("info " + json.dumps(info), flush=True)


if __name__ == "__main__":
    main()
