#!/usr/bin/env python3
"""Writes jedge's conformance corpus and its trained fixture.

Run on a machine with torch, timm, transformers, onnx, onnxruntime and scikit-learn (the device
machine has them); the tests read what it writes from converters/src/test/resources/corpus/.

    python3 tools/corpus/make_corpus.py OUT_DIR [--only NAME,...] [--skip-train]

For every architecture (small widths, seeded weights, 10 classes) it writes, per exporter
(legacy = TorchScript, opset 17; dynamo, opset 18):
    NAME_EXPORTER/model.onnx         batch axis dynamic
    NAME_EXPORTER/torch_output.f32   torch's output for the deterministic input below, batch 2
    NAME_EXPORTER/meta.json          input shape, versions, ORT-vs-torch error, op counts
The input is never shipped: x[i] = sin(0.0007*i + 0.3) over the flattened (2, C, H, W) tensor,
which the Java tests compute the same way (CorpusFixture.input).

An export that fails is recorded in OUT_DIR/corpus.json with its error, never dropped silently.

The trained fixture (digits_vit_*): a ViT trained on scikit-learn's bundled 8x8 digits, with a
Resize to 32x32 in front of it, so a trained model's attention and a shape-computing op before the
transformer are both covered. Its labelled held-out set and a calibration set are written as .npy.
"""
import argparse
import json
import math
import os
import sys
import time
import traceback

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 0
CLASSES = 10


def det_input(shape):
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    return np.sin(0.0007 * i + 0.3).astype(np.float32).reshape(shape)


class FirstOutput(nn.Module):
    """Exports one tensor: pooled features of a transformers backbone, or a model's logits."""

    def __init__(self, inner, pick):
        super().__init__()
        self.inner = inner
        self.pick = pick

    def forward(self, pixels):
        out = self.inner(pixel_values=pixels) if self.pick else self.inner(pixels)
        if self.pick:
            out = getattr(out, self.pick)
        return out


class ResizeThen(nn.Module):
    def __init__(self, size, inner):
        super().__init__()
        self.size = size
        self.inner = inner

    def forward(self, pixels):
        x = F.interpolate(pixels, size=(self.size, self.size), mode="bilinear", align_corners=False)
        return self.inner(x)


def timm_model(name, **kw):
    import timm
    return timm.create_model(name, pretrained=False, num_classes=CLASSES, **kw)


def hf(kind, attn):
    import transformers as t
    common = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
                  image_size=32, patch_size=8)
    if kind == "vit":
        cfg = t.ViTConfig(num_labels=CLASSES, **common)
        cls, pick = t.ViTForImageClassification, "logits"
    elif kind == "dinov2":
        cfg = t.Dinov2Config(**common)
        cls, pick = t.Dinov2Model, "pooler_output"
    elif kind == "siglip":
        cfg = t.SiglipVisionConfig(**common)
        cls, pick = t.SiglipVisionModel, "pooler_output"
    elif kind == "swin":
        cfg = t.SwinConfig(image_size=32, patch_size=2, embed_dim=16, depths=[2, 2], num_heads=[2, 4],
                           window_size=4, num_labels=CLASSES)
        cls, pick = t.SwinForImageClassification, "logits"
    else:
        raise ValueError(kind)
    cfg._attn_implementation = attn
    model = cls(cfg)
    return FirstOutput(model, pick)


def small_vit(**extra):
    kw = dict(img_size=32, patch_size=8, embed_dim=32, depth=2, num_heads=2, mlp_ratio=2.0)
    kw.update(extra)
    return kw


# name -> (factory, input (C, H, W))
ARCHS = {
    "timm_vit": (lambda: timm_model("vit_tiny_patch16_224", **small_vit()), (3, 32, 32)),
    "timm_deit_distilled": (lambda: timm_model("deit_tiny_distilled_patch16_224", **small_vit()), (3, 32, 32)),
    "timm_dinov2_reg": (lambda: timm_model("vit_small_patch14_reg4_dinov2", img_size=56, patch_size=14, embed_dim=32,
                                           depth=2, num_heads=2, mlp_ratio=2.0), (3, 56, 56)),
    "timm_clip": (lambda: timm_model("vit_base_patch16_clip_224", **small_vit()), (3, 32, 32)),
    "timm_siglip": (lambda: timm_model("vit_base_patch16_siglip_224", **small_vit()), (3, 32, 32)),
    "timm_eva02": (lambda: timm_model("eva02_tiny_patch14_224", img_size=56, patch_size=14, embed_dim=32, depth=2,
                                      num_heads=2, mlp_ratio=2.0), (3, 56, 56)),
    "timm_beit": (lambda: timm_model("beit_base_patch16_224", **small_vit()), (3, 32, 32)),
    "timm_swin": (lambda: timm_model("swin_tiny_patch4_window7_224", img_size=32, patch_size=2, embed_dim=16,
                                     depths=(2, 2), num_heads=(2, 4), window_size=4), (3, 32, 32)),
    "timm_swinv2": (lambda: timm_model("swinv2_tiny_window8_256", img_size=32, patch_size=2, embed_dim=16,
                                       depths=(2, 2), num_heads=(2, 4), window_size=4), (3, 32, 32)),
    "timm_cait": (lambda: timm_model("cait_xxs24_224", **small_vit()), (3, 32, 32)),
    "timm_xcit": (lambda: timm_model("xcit_nano_12_p16_224", img_size=32, patch_size=8, embed_dim=32, depth=2,
                                     num_heads=2), (3, 32, 32)),
    "timm_crossvit": (lambda: timm_model("crossvit_tiny_240", img_size=48, img_scale=(1.0, 2 / 3), patch_size=[12, 16],
                                         embed_dim=[32, 64], depth=[[1, 1, 0]], num_heads=[2, 2],
                                         mlp_ratio=[2, 2, 1]), (3, 48, 48)),
    "timm_levit": (lambda: timm_model("levit_128s", img_size=64, embed_dim=(32, 48, 64), num_heads=(2, 3, 4),
                                      depth=(1, 1, 1), key_dim=8), (3, 64, 64)),
    "timm_twins": (lambda: timm_model("twins_svt_small", img_size=64, embed_dims=(16, 32, 48, 64),
                                      num_heads=(1, 2, 3, 4), depths=(1, 1, 1, 1), wss=(2, 2, 2, 2)), (3, 64, 64)),
    "timm_efficientvit_m": (lambda: timm_model("efficientvit_m0", img_size=64, embed_dim=(32, 48, 64),
                                               depth=(1, 1, 1), num_heads=(2, 2, 2), window_size=(4, 4, 4),
                                               kernels=(5, 5, 5, 5)), (3, 64, 64)),
    "timm_vit_resize": (lambda: ResizeThen(32, timm_model("vit_tiny_patch16_224", **small_vit())), (3, 16, 16)),
    "hf_vit_eager": (lambda: hf("vit", "eager"), (3, 32, 32)),
    "hf_vit_sdpa": (lambda: hf("vit", "sdpa"), (3, 32, 32)),
    "hf_dinov2": (lambda: hf("dinov2", "eager"), (3, 32, 32)),
    "hf_siglip": (lambda: hf("siglip", "eager"), (3, 32, 32)),
    "hf_swin": (lambda: hf("swin", "eager"), (3, 32, 32)),
}


def op_counts(path):
    import onnx
    m = onnx.load(path)
    counts = {}
    for n in m.graph.node:
        key = (n.domain or "") + "::" + n.op_type
        counts[key] = counts.get(key, 0) + 1
    opset = max(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))
    return counts, opset


def export(model, x, path, exporter):
    dyn = {"pixels": {0: "batch"}, "logits": {0: "batch"}}
    if exporter == "legacy":
        torch.onnx.export(model, (x,), path, dynamo=False, opset_version=17, input_names=["pixels"],
                          output_names=["logits"], dynamic_axes=dyn)
    else:
        batch = torch.export.Dim("batch", min=1, max=64)
        torch.onnx.export(model, (x,), path, dynamo=True, opset_version=18, input_names=["pixels"],
                          output_names=["logits"], dynamic_shapes=({0: batch},), external_data=False)


def check(path, x, ref):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    inp = s.get_inputs()[0]
    got = s.run(None, {inp.name: x})[0]
    return float(np.max(np.abs(got - ref))), [d if isinstance(d, int) else str(d) for d in inp.shape]


def build_one(name, exporter, out_dir, versions):
    factory, chw = ARCHS[name]
    torch.manual_seed(SEED)
    model = factory().eval()
    # Seeded weights with some spread so attention is not uniform: timm inits qkv tiny.
    with torch.no_grad():
        g = torch.Generator().manual_seed(SEED + 1)
        for p_name, p in model.named_parameters():
            if p.dim() >= 2 and ("qkv" in p_name or "query" in p_name or "key" in p_name or "q_proj" in p_name
                                 or "k_proj" in p_name or ".q." in p_name or ".k." in p_name):
                p.add_(torch.randn(p.shape, generator=g) * 0.15)
    shape = (2,) + tuple(chw)
    x = torch.from_numpy(det_input(shape))
    with torch.no_grad():
        ref = model(x).float().numpy()
    d = os.path.join(out_dir, f"{name}_{exporter}")
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.onnx")
    t0 = time.time()
    export(model, x, path, exporter)
    secs = time.time() - t0
    err, in_shape = check(path, x.numpy(), ref)
    ref.astype("<f4").tofile(os.path.join(d, "torch_output.f32"))
    counts, opset = op_counts(path)
    meta = dict(model=name, exporter=exporter, opset=opset, input_name="pixels", input_shape=list(shape),
                onnx_input_shape=in_shape, output_shape=list(ref.shape), ort_vs_torch_maxabs=err,
                export_seconds=round(secs, 2), ops=counts, params=sum(p.numel() for p in model.parameters()),
                **versions)
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    return meta


def train_digits(out_dir, versions):
    """A ViT on scikit-learn's digits, trained in well under a minute on a GPU."""
    import timm
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None, :, :]
    y = digits.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=0.2, random_state=SEED, stratify=y)
    dev = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(SEED)
    vit = timm.models.vision_transformer.VisionTransformer(img_size=32, patch_size=4, in_chans=1,
                                                           num_classes=CLASSES, embed_dim=64, depth=4, num_heads=4,
                                                           mlp_ratio=2.0)
    model = ResizeThen(32, vit).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    xt = torch.from_numpy(x_tr).to(dev)
    yt = torch.from_numpy(y_tr).to(dev)
    steps = 3000
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=1e-3, total_steps=steps)
    g = torch.Generator(device="cpu").manual_seed(SEED)
    t0 = time.time()
    model.train()
    for step in range(steps):
        idx = torch.randint(0, len(xt), (128,), generator=g).to(dev)
        xb = xt[idx]
        # small random shifts: digits are tiny, augmentation keeps the ViT from memorising
        shift = torch.randint(-1, 2, (2,), generator=g).tolist()
        xb = torch.roll(xb, shifts=shift, dims=(2, 3))
        loss = F.cross_entropy(model(xb), yt[idx], label_smoothing=0.1)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
    secs = time.time() - t0
    model.eval().cpu()
    with torch.no_grad():
        logits = model(torch.from_numpy(x_te)).numpy()
    acc = float((logits.argmax(1) == y_te).mean())
    print(f"digits ViT: trained {steps} steps in {secs:.1f}s, held-out top-1 {acc:.4f}", flush=True)
    data = os.path.join(out_dir, "digits_data")
    os.makedirs(data, exist_ok=True)
    np.save(os.path.join(data, "test_x.npy"), x_te)
    np.save(os.path.join(data, "test_y.npy"), y_te)
    np.save(os.path.join(data, "calib_x.npy"), x_tr[:128])
    results = []
    for exporter in ("legacy", "dynamo"):
        d = os.path.join(out_dir, f"digits_vit_{exporter}")
        os.makedirs(d, exist_ok=True)
        path = os.path.join(d, "model.onnx")
        xin = torch.from_numpy(x_te[:2])
        export(model, xin, path, exporter)
        err, in_shape = check(path, x_te, logits)
        logits.astype("<f4").tofile(os.path.join(d, "torch_output.f32"))
        counts, opset = op_counts(path)
        meta = dict(model="digits_vit", exporter=exporter, opset=opset, input_name="pixels",
                    input_shape=list(x_te.shape), onnx_input_shape=in_shape, output_shape=list(logits.shape),
                    ort_vs_torch_maxabs=err, torch_top1=acc, train_steps=steps, train_seconds=round(secs, 1),
                    input="digits_data/test_x.npy", labels="digits_data/test_y.npy", ops=counts,
                    params=sum(p.numel() for p in model.parameters()), **versions)
        with open(os.path.join(d, "meta.json"), "w") as f:
            json.dump(meta, f, indent=1)
        results.append(meta)
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--only", default="")
    ap.add_argument("--skip-train", action="store_true")
    args = ap.parse_args()
    import timm
    import transformers
    import onnx
    import onnxruntime
    versions = dict(torch=torch.__version__, timm=timm.__version__, transformers=transformers.__version__,
                    onnx=onnx.__version__, onnxruntime=onnxruntime.__version__)
    os.makedirs(args.out, exist_ok=True)
    only = [s for s in args.only.split(",") if s]
    summary = {"versions": versions, "ok": [], "failed": []}
    for name in ARCHS:
        if only and name not in only:
            continue
        for exporter in ("legacy", "dynamo"):
            try:
                meta = build_one(name, exporter, args.out, versions)
                summary["ok"].append(f"{name}_{exporter}")
                print(f"ok   {name}_{exporter}: ort-vs-torch {meta['ort_vs_torch_maxabs']:.2e}, "
                      f"input {meta['onnx_input_shape']}, {meta['export_seconds']}s", flush=True)
            except Exception as e:  # noqa: BLE001 - every failure is recorded with its reason
                msg = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"[:300]
                summary["failed"].append({"name": f"{name}_{exporter}", "error": msg})
                print(f"FAIL {name}_{exporter}: {msg}", flush=True)
                traceback.print_exc(limit=2)
                d = os.path.join(args.out, f"{name}_{exporter}")
                if os.path.isdir(d):
                    for f in os.listdir(d):
                        os.remove(os.path.join(d, f))
                    os.rmdir(d)
    if not args.skip_train:
        for meta in train_digits(args.out, versions):
            summary["ok"].append(f"digits_vit_{meta['exporter']}")
    with open(os.path.join(args.out, "corpus.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(json.dumps({"ok": len(summary["ok"]), "failed": summary["failed"]}, indent=1))


if __name__ == "__main__":
    sys.exit(main())
