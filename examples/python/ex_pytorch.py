"""A user model for `python -m hepml.workflow --framework torch` (in the spirit of MLaaS4HEP's ex_pytorch.py):
`model(idim)` returns the network for rows of `idim` normalized, padded features."""
import torch


def model(idim):
    return torch.nn.Sequential(
        torch.nn.Linear(idim, 32), torch.nn.ReLU(),
        torch.nn.Linear(32, 16), torch.nn.ReLU(),
        torch.nn.Linear(16, 1), torch.nn.Sigmoid(),
    )


def optimizer(net):
    return torch.optim.Adam(net.parameters(), lr=3e-3, weight_decay=1e-4)
