"""Peer for bench/train_bench.py: the same MLP as the hepml model file, trained with PyTorch on CPU on the
X.npy / y.npy / w.npy / split.npy that `hepml export` wrote (train rows: split == 0, validation: split == 1).

usage: .deps/torch-venv/bin/python bench/peer_torch.py DIR --threads N --batch-size B --epochs E
       [--layers 64,32,16] [--lr 0.001] [--seed 3]
Prints one JSON line: per-epoch seconds and events/s (train rows / epoch seconds), losses and validation AUC.

One epoch, timed with time.perf_counter, is what hepml's trainer times: a shuffled pass over the training rows
in mini-batches (index the in-memory tensor, forward, weighted BCE, backward, Adam step), then a forward pass
over the validation rows with its loss, accuracy and AUC. No DataLoader (indexing a tensor is faster).
"""
import argparse, json, os, time

import numpy as np
import torch


def auc(scores, labels, weights):
    order = np.argsort(-scores, kind="stable")
    y, w = labels[order], weights[order]
    tp = np.cumsum(w * (y > 0.5))
    fp = np.cumsum(w * (y <= 0.5))
    if tp[-1] == 0 or fp[-1] == 0:
        return float("nan")
    tpr = np.concatenate([[0.0], tp / tp[-1]])
    fpr = np.concatenate([[0.0], fp / fp[-1]])
    return float(np.trapezoid(tpr, fpr))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--batch-size", type=int, required=True)
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--layers", default="64,32,16")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)

    X = np.load(os.path.join(a.dir, "X.npy"))
    y = np.load(os.path.join(a.dir, "y.npy")).astype(np.float32)
    w = np.load(os.path.join(a.dir, "w.npy")).astype(np.float32)
    split = np.load(os.path.join(a.dir, "split.npy"))
    tr, va = split == 0, split == 1
    Xt, yt, wt = (torch.from_numpy(np.ascontiguousarray(v[tr])) for v in (X, y, w))
    Xv, yv, wv = (torch.from_numpy(np.ascontiguousarray(v[va])) for v in (X, y, w))
    n, f = Xt.shape

    layers, width = [], f
    for u in (int(s) for s in a.layers.split(",")):
        layers += [torch.nn.Linear(width, u), torch.nn.ReLU()]
        width = u
    layers.append(torch.nn.Linear(width, 1))
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    bce = torch.nn.BCEWithLogitsLoss(reduction="none")

    epochs = []
    for epoch in range(1, a.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        perm = torch.randperm(n)
        loss_sum, w_sum = 0.0, 0.0
        for s in range(0, n, a.batch_size):
            idx = perm[s:s + a.batch_size]
            xb, yb, wb = Xt[idx], yt[idx], wt[idx]
            opt.zero_grad(set_to_none=True)
            per = bce(model(xb).squeeze(1), yb)
            loss = (per * wb).sum() / wb.sum()
            loss.backward()
            opt.step()
            loss_sum += float(loss) * float(wb.sum())
            w_sum += float(wb.sum())
        model.eval()
        with torch.no_grad():
            logits = torch.cat([model(Xv[s:s + 4096]).squeeze(1) for s in range(0, len(Xv), 4096)])
            vloss = float((bce(logits, yv) * wv).sum() / wv.sum())
            p = torch.sigmoid(logits).numpy()
        vacc = float(np.average((p > 0.5) == (yv.numpy() > 0.5), weights=wv.numpy()))
        vauc = auc(p, yv.numpy(), wv.numpy())
        secs = time.perf_counter() - t0
        epochs.append({"epoch": epoch, "seconds": secs, "events_per_s": n / secs, "train_loss": loss_sum / w_sum,
                       "val_loss": vloss, "val_acc": vacc, "val_auc": vauc})
    print(json.dumps({"tool": "pytorch", "torch": torch.__version__, "threads": a.threads, "batch_size": a.batch_size,
                      "train_rows": n, "validation_rows": len(Xv), "features": f, "epochs": epochs}))


if __name__ == "__main__":
    main()
