#!/usr/bin/env python3
"""Trains jedge's diffusion fixture: a small class-conditional DiT on scikit-learn's digits.

Run on a machine with torch and scikit-learn (the device machine has them); the tests read what it
writes from converters/src/test/resources/diffusion/digits_dit/.

    python3 tools/diffusion/train_dit_digits.py OUT_DIR [--steps N]

Data: the 8x8 digits (0..16) scaled to [-1, 1], upsampled bilinearly to 64x64 and pixel-unshuffled
by 2 into 4x32x32 "latents" (so the decoder is a pixel shuffle). Images 0..1499 train, the rest
(297) are held out.

Model: DiT (facebookresearch/DiT models.py, written out below with the same module names, so the
state dict is what jedge's DitBuilder reads): latent 32, patch 2 (256 tokens), hidden 128, depth 4,
4 heads, 10 classes plus the null class, learn_sigma off. DDPM, linear betas 1e-4..0.02 over 1000
steps, epsilon prediction, class dropout 0.1 for classifier-free guidance, AdamW, EMA 0.999. The
EMA weights are saved as F16 safetensors (small enough to commit); every reference below is
computed with the weights rounded to F16, as the Java side reads them.

Writes:
    dit.safetensors          EMA weights, F16
    eval_latents.npy         [64,4,32,32] float32, held-out latents noised to eval_timesteps
    eval_timesteps.npy       [64] float32, 8 timesteps x 8 images (25..975)
    eval_labels.npy          [64] int64, the true classes
    eval_noise.npy           [64,4,32,32] float32, the noise that was added (the target)
    eval_noise_pred.npy      [64,4,32,32] float32, this torch DiT's prediction (the reference)
    classifier.npy           [10,65] float32, a logistic regression on 8x8 digits (weights, bias)
    report.json              config, versions, loss, held-out eps MSE per timestep, and the
                             classifier accuracy of 100 guided DDIM samples (25 steps, scale 4)
"""
import argparse
import json
import math
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 0
LATENT, PATCH, HIDDEN, DEPTH, HEADS, CLASSES, CH = 32, 2, 128, 4, 4, 10, 4
T_STEPS = 1000


def timestep_embedding(t, dim=256, max_period=10000):
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t[:, None].float() * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


def sincos_2d(dim, grid):
    # DiT's get_2d_sincos_pos_embed: w first, then h; each half is [sin..., cos...]
    def one(d, pos):
        omega = 1.0 / 10000 ** (np.arange(d // 2, dtype=np.float64) / (d / 2.0))
        out = np.einsum("m,d->md", pos.reshape(-1), omega)
        return np.concatenate([np.sin(out), np.cos(out)], axis=1)
    gh, gw = np.meshgrid(np.arange(grid, dtype=np.float32), np.arange(grid, dtype=np.float32), indexing="ij")
    return np.concatenate([one(dim // 2, gw), one(dim // 2, gh)], axis=1).astype(np.float32)


class TEmb(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(256, d), nn.SiLU(), nn.Linear(d, d))

    def forward(self, t):
        return self.mlp(timestep_embedding(t))


class YEmb(nn.Module):
    def __init__(self, classes, d):
        super().__init__()
        self.embedding_table = nn.Embedding(classes + 1, d)

    def forward(self, y):
        return self.embedding_table(y)


class Attn(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        b, n, d = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        x = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2])
        return self.proj(x.transpose(1, 2).reshape(b, n, d))


class Mlp(nn.Module):
    def __init__(self, d, hidden):
        super().__init__()
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


def modulate(x, shift, scale):
    return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


class Block(nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.norm1 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.attn = Attn(d, heads)
        self.norm2 = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.mlp = Mlp(d, 4 * d)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(d, 6 * d))

    def forward(self, x, c):
        sm, cm, gm, sp, cp, gp = self.adaLN_modulation(c).chunk(6, dim=1)
        x = x + gm.unsqueeze(1) * self.attn(modulate(self.norm1(x), sm, cm))
        return x + gp.unsqueeze(1) * self.mlp(modulate(self.norm2(x), sp, cp))


class Final(nn.Module):
    def __init__(self, d, out):
        super().__init__()
        self.norm_final = nn.LayerNorm(d, elementwise_affine=False, eps=1e-6)
        self.linear = nn.Linear(d, PATCH * PATCH * out)
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(d, 2 * d))

    def forward(self, x, c):
        shift, scale = self.adaLN_modulation(c).chunk(2, dim=1)
        return self.linear(modulate(self.norm_final(x), shift, scale))


class DiT(nn.Module):
    def __init__(self):
        super().__init__()
        g = LATENT // PATCH
        self.x_embedder = nn.Module()
        self.x_embedder.proj = nn.Conv2d(CH, HIDDEN, PATCH, PATCH)
        self.t_embedder = TEmb(HIDDEN)
        self.y_embedder = YEmb(CLASSES, HIDDEN)
        self.register_buffer("pos_embed", torch.from_numpy(sincos_2d(HIDDEN, g)).unsqueeze(0))
        self.blocks = nn.ModuleList([Block(HIDDEN, HEADS) for _ in range(DEPTH)])
        self.final_layer = Final(HIDDEN, CH)
        # adaLN-Zero, as DiT initialises it
        for blk in self.blocks:
            nn.init.zeros_(blk.adaLN_modulation[-1].weight)
            nn.init.zeros_(blk.adaLN_modulation[-1].bias)
        for m in (self.final_layer.adaLN_modulation[-1], self.final_layer.linear):
            nn.init.zeros_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, x, t, y):
        g = LATENT // PATCH
        x = self.x_embedder.proj(x).flatten(2).transpose(1, 2) + self.pos_embed
        c = self.t_embedder(t) + self.y_embedder(y)
        for blk in self.blocks:
            x = blk(x, c)
        x = self.final_layer(x, c)
        x = x.reshape(x.shape[0], g, g, PATCH, PATCH, CH)
        return torch.einsum("nhwpqc->nchpwq", x).reshape(x.shape[0], CH, LATENT, LATENT)


def to_latents(images8):
    x = torch.from_numpy(images8.reshape(-1, 1, 8, 8).astype(np.float32)) / 8.0 - 1.0
    x = F.interpolate(x, size=(64, 64), mode="bilinear", align_corners=False)
    return F.pixel_unshuffle(x, 2)


def from_latents(z):
    return F.pixel_shuffle(z, 2)


def save_safetensors_f16(path, sd):
    header, blobs, off = {}, [], 0
    for k, v in sd.items():
        b = v.detach().cpu().to(torch.float16).contiguous().numpy().tobytes()
        header[k] = {"dtype": "F16", "shape": list(v.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--steps", type=int, default=8000)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False

    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    digits = load_digits()
    images, labels = digits.images, digits.target
    tr, te = slice(0, 1500), slice(1500, None)
    z_train = to_latents(images[tr]).to(dev)
    y_train = torch.from_numpy(labels[tr]).long().to(dev)
    z_test = to_latents(images[te])
    y_test = torch.from_numpy(labels[te]).long()

    clf = LogisticRegression(max_iter=5000).fit(images[tr].reshape(-1, 64), labels[tr])
    clf_acc = float(clf.score(images[te].reshape(-1, 64), labels[te]))

    betas = torch.linspace(1e-4, 0.02, T_STEPS, dtype=torch.float64)
    abar = torch.cumprod(1 - betas, 0).float().to(dev)

    model = DiT().to(dev)
    ema = DiT().to(dev)
    ema.load_state_dict(model.state_dict())
    opt = torch.optim.AdamW(model.parameters(), lr=3e-4, weight_decay=0)
    t0 = time.time()
    losses = []
    for step in range(a.steps):
        idx = torch.randint(0, z_train.shape[0], (256,), device=dev)
        x0, y = z_train[idx], y_train[idx].clone()
        y[torch.rand(y.shape, device=dev) < 0.1] = CLASSES
        t = torch.randint(0, T_STEPS, (x0.shape[0],), device=dev)
        eps = torch.randn_like(x0)
        ab = abar[t].view(-1, 1, 1, 1)
        xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
        loss = F.mse_loss(model(xt, t.float(), y), eps)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for pe, pm in zip(ema.parameters(), model.parameters()):
                pe.mul_(0.999).add_(pm, alpha=0.001)
        losses.append(loss.item())
        if step % 1000 == 0:
            print(f"step {step} loss {np.mean(losses[-200:]):.4f} {time.time() - t0:.0f}s", flush=True)
    train_s = time.time() - t0

    # references use the weights as the Java side reads them: rounded to F16, computed in FP32 on the CPU
    ema = ema.cpu().eval()
    sd = {k: v for k, v in ema.state_dict().items()}
    with torch.no_grad():
        for p in ema.parameters():
            p.copy_(p.half().float())
        ema.pos_embed.copy_(ema.pos_embed.half().float())
    save_safetensors_f16(os.path.join(a.out, "dit.safetensors"), sd)

    g = torch.Generator().manual_seed(1)
    ts = torch.tensor([25, 100, 250, 400, 550, 700, 850, 975], dtype=torch.float32)
    pick = torch.arange(64) % z_test.shape[0]
    x0 = z_test[pick]
    t = ts.repeat_interleave(8)
    eps = torch.randn(x0.shape, generator=g)
    abc = abar.cpu()
    ab = abc[t.long()].view(-1, 1, 1, 1)
    xt = ab.sqrt() * x0 + (1 - ab).sqrt() * eps
    with torch.no_grad():
        pred = ema(xt, t, y_test[pick])
    np.save(os.path.join(a.out, "eval_latents.npy"), xt.numpy().astype(np.float32))
    np.save(os.path.join(a.out, "eval_timesteps.npy"), t.numpy().astype(np.float32))
    np.save(os.path.join(a.out, "eval_labels.npy"), y_test[pick].numpy().astype(np.int64))
    np.save(os.path.join(a.out, "eval_noise.npy"), eps.numpy().astype(np.float32))
    np.save(os.path.join(a.out, "eval_noise_pred.npy"), pred.numpy().astype(np.float32))
    mse_per_t = {int(tt): float(((pred - eps) ** 2)[t == tt].mean()) for tt in ts}
    coef = np.concatenate([clf.coef_, clf.intercept_[:, None]], axis=1).astype(np.float32)
    np.save(os.path.join(a.out, "classifier.npy"), np.ascontiguousarray(coef))  # C order: jedge reads no Fortran arrays

    # guided DDIM (eta 0), 25 steps, scale 4: do generated digits look like their class?
    n = 100
    y = torch.arange(n) % CLASSES
    steps = torch.linspace(T_STEPS - 1, 0, 25).round().long()
    x = torch.randn((n, CH, LATENT, LATENT), generator=g)
    with torch.no_grad():
        for i, tt in enumerate(steps):
            e = ema(torch.cat([x, x]), torch.full((2 * n,), float(tt)), torch.cat([y, torch.full((n,), CLASSES)]))
            e = e[n:] + 4.0 * (e[:n] - e[n:])
            a_t = abc[tt]
            a_prev = abc[steps[i + 1]] if i + 1 < len(steps) else torch.tensor(1.0)
            x0p = (x - (1 - a_t).sqrt() * e) / a_t.sqrt()
            x = a_prev.sqrt() * x0p + (1 - a_prev).sqrt() * e
    img = from_latents(x).clamp(-1, 1)
    img8 = F.avg_pool2d(img, 8).reshape(n, 64).numpy()
    img8 = (img8 + 1.0) * 8.0
    gen_acc = float((clf.predict(img8) == y.numpy()).mean())

    report = {
        "config": {"latent": LATENT, "patch": PATCH, "hidden": HIDDEN, "depth": DEPTH, "heads": HEADS,
                   "classes": CLASSES, "latent_channels": CH, "learn_sigma": False, "mlp_ratio": 4},
        "schedule": "DDPM linear betas 1e-4..0.02, 1000 steps, epsilon prediction",
        "train": {"steps": a.steps, "batch": 256, "seconds": round(train_s, 1),
                  "final_loss": float(np.mean(losses[-500:])), "device": dev},
        "heldout_eps_mse_per_timestep": mse_per_t,
        "classifier_heldout_accuracy": clf_acc,
        "generated_accuracy_ddim25_cfg4": gen_acc,
        "versions": {"torch": torch.__version__, "numpy": np.__version__},
    }
    with open(os.path.join(a.out, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
