"""hepml for Python: read ROOT files (local, root://, http://) and stream training batches into pyarrow, numpy,
awkward, PyTorch and Keras through libhepml.so (Arrow C streams over hepml's own buffers).

    import hepml
    events = hepml.open("nano.root")["Events"]
    muons = events.arrays(["Muon_*"], entry_stop=1000, library="ak")
"""
from ._lib import HEPMLError, library_path
from .tree import File, Tree, open
from .training import TrainingParams, dataset_info, dataset_stream, specs

__version__ = "1.0.0"
__all__ = ["HEPMLError", "File", "Tree", "open", "TrainingParams", "specs", "dataset_stream", "dataset_info",
           "library_path"]
