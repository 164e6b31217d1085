"""The MLaaS4HEP workflow on hepml: train a user's model on ROOT files without converting them.

    python -m hepml.workflow --files files.txt --model user_model.py --params params.json \\
        [--framework torch|keras] [--epochs N] [--out DIR] [--upload URL]

The model file defines `model(idim)` returning a torch.nn.Module (or a Keras model with --framework keras), and
may define `loss` (a torch loss module / Keras loss), `optimizer(model)` and `inputs = "X+mask"` (the mask
concatenated to the features, idim = 2F). The model gets hepml's mixed, normalized, padded rows `X` [n, F]; a
model ending in Sigmoid is trained with BCELoss, any other with BCEWithLogitsLoss (its output taken as a logit).
files.txt (optional; default: the params' files): one `path [label]` per line, `#` comments.
The trained model is exported to ONNX (input "X": the normalized rows, output "probabilities") into
OUT/NAME/, a folder `hepml serve` loads; --upload sends it to a server.

Distributed data-parallel training (torch): `torchrun --nproc_per_node=N -m hepml.workflow ...` runs N ranks
(gloo on CPU, NCCL on GPUs is up to torch); each rank reads its own shard of the data (hepml.torch.Dataset),
takes batches of batch_size / N rows (so one step sees batch_size rows in all), and gradients are averaged
(DistributedDataParallel, uneven shards through its join()); evaluation gathers every rank's predictions and
rank 0 prints and writes the results.
"""
import argparse
import importlib.util
import json
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from . import metrics, modelfolder, training


def read_files(path):
    files = []
    for line in Path(path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split()
        files.append({"path": parts[0], "label": float(parts[1])} if len(parts) > 1 else parts[0])
    return files


def load_user_module(path):
    spec = importlib.util.spec_from_file_location("user_model", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"workflow: cannot load the model file {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if not hasattr(module, "model"):
        raise SystemExit(f"workflow: {path} must define model(idim)")
    return module


class Progress:
    """A one-line progress bar on stderr."""

    def __init__(self, label, total=None, quiet=False):
        self.label, self.total, self.quiet, self.n, self.start = label, total, quiet, 0, time.perf_counter()

    def update(self, rows, **values):
        self.n += rows
        if self.quiet:
            return
        rate = self.n / max(1e-9, time.perf_counter() - self.start)
        bar = ""
        if self.total:
            done = min(1.0, self.n / self.total)
            bar = "[" + "#" * int(done * 24) + "." * (24 - int(done * 24)) + "] "
        extra = " ".join(f"{k} {v:.4f}" for k, v in values.items())
        sys.stderr.write(f"\r{self.label} {bar}{self.n} rows {rate:,.0f} rows/s {extra}   ")
        sys.stderr.flush()

    def close(self):
        if not self.quiet:
            sys.stderr.write("\n")


def distributed_rank():
    """(rank, world size) under torchrun (WORLD_SIZE > 1; the process group is started once), else (0, 1)."""
    import os
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1:
        return 0, 1
    import torch.distributed as dist
    if not dist.is_initialized():
        dist.init_process_group("gloo")
    return dist.get_rank(), dist.get_world_size()


def gather(arrays, world):
    """Every rank's arrays concatenated in rank order (all ranks get the result)."""
    if world == 1:
        return arrays
    import torch.distributed as dist
    parts = [None] * world
    dist.all_gather_object(parts, arrays)
    return [np.concatenate([p[k] for p in parts]) for k in range(len(arrays))]


def model_input(batch, with_mask):
    import torch
    return torch.cat([batch["X"], batch["mask"]], dim=1) if with_mask else batch["X"]


def run_torch(args, params, specs_, user, width):
    import contextlib
    import torch
    from . import torch as hepml_torch
    rank, world = distributed_rank()
    if world > 1:
        params = training.TrainingParams(params)
        params["batch_size"] = max(1, int(params.get("batch_size", 256)) // world)
    torch.manual_seed(args.seed)
    with_mask = getattr(user, "inputs", "X") == "X+mask"
    net = user.model(width * 2 if with_mask else width)
    trained = torch.nn.parallel.DistributedDataParallel(net) if world > 1 else net
    sigmoid_out = isinstance(list(net.modules())[-1], torch.nn.Sigmoid)
    loss_fn = getattr(user, "loss", None) or (torch.nn.BCELoss(reduction="none") if sigmoid_out
                                               else torch.nn.BCEWithLogitsLoss(reduction="none"))
    optimizer = user.optimizer(net) if hasattr(user, "optimizer") else torch.optim.Adam(net.parameters(), lr=args.lr)
    train = hepml_torch.Dataset(params, "train", specs=specs_)
    loader = torch.utils.data.DataLoader(train, batch_size=None, num_workers=args.workers,
                                         multiprocessing_context="spawn" if args.workers else None,
                                         persistent_workers=False)
    rows = None
    best = (float("inf"), None, 0)  # validation loss, weights, epoch
    validation = hepml_torch.Dataset(params, "validation", specs=specs_) if args.patience else None
    for epoch in range(args.epochs):
        train.set_epoch(epoch)
        net.train()
        bar = Progress(f"epoch {epoch + 1}/{args.epochs}", rows, quiet=args.quiet or rank > 0)
        total = 0.0
        with trained.join() if world > 1 else contextlib.nullcontext():
            for b in loader:
                optimizer.zero_grad()
                out = trained(model_input(b, with_mask)).reshape(-1)
                per_row = loss_fn(out, b["y"])
                loss = (per_row * b["w"]).sum() / b["w"].sum() if per_row.dim() else per_row
                loss.backward()
                optimizer.step()
                total += loss.item() * len(b["y"])
                bar.update(len(b["y"]), loss=total / max(1, bar.n))
        bar.close()
        rows = bar.n
        if validation is not None:
            net.eval()
            with torch.no_grad():
                num = den = 0.0
                for b in validation:
                    out = net(model_input(b, with_mask)).reshape(-1)
                    num += float((loss_fn(out, b["y"]) * b["w"]).sum())
                    den += float(b["w"].sum())
            if world > 1:  # one decision on every rank
                sums = torch.tensor([num, den], dtype=torch.float64)
                torch.distributed.all_reduce(sums)
                num, den = float(sums[0]), float(sums[1])
            val = num / max(den, 1e-12)
            if val < best[0]:
                best = (val, {k: v.clone() for k, v in net.state_dict().items()}, epoch)
            elif epoch - best[2] >= args.patience:
                break
    if best[1] is not None:
        net.load_state_dict(best[1])

    def predict(x):
        with torch.no_grad():
            out = net(x).reshape(-1)
            return out if sigmoid_out else torch.sigmoid(out)

    net.eval()

    def evaluate(split):
        ys, ws, ps, xs = [np.zeros(0, np.float32)], [np.zeros(0, np.float32)], [np.zeros(0, np.float32)], []
        for b in hepml_torch.Dataset(params, split, specs=specs_):
            x = model_input(b, with_mask)
            ps.append(predict(x).numpy())
            ys.append(b["y"].numpy())
            ws.append(b["w"].numpy())
            xs.append(x.numpy())
        x = np.concatenate(xs) if xs else np.zeros((0, width * 2 if with_mask else width), np.float32)
        return gather([np.concatenate(ys), np.concatenate(ws), np.concatenate(ps), x], world)

    y, w, p, xs = evaluate("test")
    vy, _, vp, _ = evaluate("validation")
    if rank > 0:
        return y, w, p, xs, None, (vy, vp)

    class Exported(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, X):
            out = self.net(X)
            return out if sigmoid_out else torch.sigmoid(out)

    onnx_bytes = export_torch_onnx(Exported().eval(), width * 2 if with_mask else width)
    return y, w, p, xs, onnx_bytes, (vy, vp)


def export_torch_onnx(module, width):
    import io
    import torch
    buf = io.BytesIO()
    example = torch.zeros(2, width, dtype=torch.float32)
    kwargs = dict(input_names=[modelfolder.INPUT], output_names=[modelfolder.OUTPUT],
                  dynamic_axes={modelfolder.INPUT: {0: "batch"}, modelfolder.OUTPUT: {0: "batch"}}, opset_version=17)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the TorchScript exporter: no onnxscript needed
        try:
            torch.onnx.export(module, (example,), buf, dynamo=False, **kwargs)
        except TypeError:
            torch.onnx.export(module, (example,), buf, **kwargs)
    return buf.getvalue()


def run_keras(args, params, specs_, user, width):
    import os
    if "KERAS_BACKEND" not in os.environ and importlib.util.find_spec("tensorflow") is None:
        os.environ["KERAS_BACKEND"] = "torch"
    import keras
    from . import keras as hepml_keras
    keras.utils.set_random_seed(args.seed)
    with_mask = getattr(user, "inputs", "X") == "X+mask"
    net = user.model(width * 2 if with_mask else width)
    if not getattr(net, "optimizer", None) or not getattr(net, "compiled", True):
        net.compile(optimizer=keras.optimizers.Adam(args.lr), loss=getattr(user, "loss", "binary_crossentropy"))
    train = hepml_keras.Dataset(params, "train", specs=specs_, with_mask=with_mask)
    net.fit(train, epochs=args.epochs, verbose=0 if args.quiet else 2)
    test = hepml_keras.Dataset(params, "test", specs=specs_, with_mask=with_mask)
    ys, ws, ps, xs = [], [], [], []
    for i in range(len(test)):
        x, y, w = test[i]
        ps.append(np.asarray(net.predict(x, verbose=0)).reshape(-1))
        ys.append(np.asarray(y))
        ws.append(np.asarray(w))
        xs.append(np.asarray(x))
    onnx_bytes = None
    try:
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            net.export(d + "/model.onnx", format="onnx")
            onnx_bytes = Path(d + "/model.onnx").read_bytes()
    except Exception as e:  # the Keras ONNX route needs its optional exporters
        print(f"workflow: ONNX export skipped ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})")
    return np.concatenate(ys), np.concatenate(ws), np.concatenate(ps), np.concatenate(xs), onnx_bytes


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m hepml.workflow", description=__doc__.split("\n\n")[0])
    ap.add_argument("--files", help="file list: `path [label]` per line (default: the params' files)")
    ap.add_argument("--model", required=True, help="Python file defining model(idim)")
    ap.add_argument("--params", required=True, help="hepml params file (JSON or YAML)")
    ap.add_argument("--specs", help="specs file (default: run the specs pass)")
    ap.add_argument("--framework", choices=["torch", "keras"], default="torch")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch-size", type=int, help="rows per batch (default: the params' batch_size)")
    ap.add_argument("--lr", type=float, default=1e-3, help="learning rate of the default Adam optimizer")
    ap.add_argument("--seed", type=int, default=0, help="model initialization seed")
    ap.add_argument("--patience", type=int, default=0,
                    help="stop after this many epochs without a better validation loss and keep the best weights (0: off)")
    ap.add_argument("--workers", type=int, default=0, help="DataLoader workers (torch)")
    ap.add_argument("--out", default="workflow-output", help="output folder (the model goes to OUT/NAME)")
    ap.add_argument("--name", default="model", help="model name")
    ap.add_argument("--upload", help="server URL to upload the model folder to")
    ap.add_argument("--token", help="bearer token for the upload")
    ap.add_argument("--quiet", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)

    params = training.TrainingParams.load(args.params)
    if args.files:
        params = params.with_files(read_files(args.files))
    if args.batch_size:
        params["batch_size"] = args.batch_size
    t = time.perf_counter()
    specs_ = json.loads(Path(args.specs).read_text()) if args.specs else training.specs(params)
    info = training.dataset_info(params, specs_)
    width = info["width"]
    print(f"specs: {len(specs_['branches'])} columns, {specs_['events'].get('total', 0)} events, "
          f"{width} features, {time.perf_counter() - t:.2f} s")
    user = load_user_module(args.model)
    t = time.perf_counter()
    run = run_keras if args.framework == "keras" else run_torch
    y, w, p, x, onnx_bytes, *validation = run(args, params, specs_, user, width)
    result = {"test_events": int(len(y)), "loss": metrics.binary_cross_entropy(y, p, w),
              "accuracy": metrics.accuracy(y, p), "auc": metrics.auc(y, p), "train_seconds": time.perf_counter() - t}
    if validation:
        vy, vp = validation[0]
        result.update(validation_events=int(len(vy)), val_auc=metrics.auc(vy, vp))
    rank, world = distributed_rank() if args.framework == "torch" else (0, 1)
    result["world_size"] = world
    if rank > 0:
        finish_distributed(world)
        return result
    print(f"test: {result['test_events']} events, loss {result['loss']:.4f}, accuracy {result['accuracy']:.3f}, "
          f"AUC {result['auc']:.3f}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    np.save(out / "test_X.npy", x.astype(np.float32))
    np.save(out / "test_probabilities.npy", p.astype(np.float32))
    if onnx_bytes is not None:
        folder = modelfolder.write(out / args.name, args.name, onnx_bytes, x.shape[1], specs_,
                                   f"{args.framework} model trained by hepml.workflow on {len(params.get('files', []))} files",
                                   params=params)
        result["model_folder"] = str(folder)
        print(f"model: {folder} (config.pbtxt, 1/model.onnx, params.json, specs.json)")
        if args.upload:
            from . import client
            answer = client.upload(args.upload, folder, args.name, token=args.token)
            print(f"uploaded: {args.name} versions {answer.get('versions')}")
    (out / "result.json").write_text(json.dumps(result, indent=1))
    finish_distributed(world)
    return result


def finish_distributed(world):
    if world > 1:
        import torch.distributed as dist
        dist.barrier()
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
