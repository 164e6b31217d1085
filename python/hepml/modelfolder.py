"""A model-repository folder that `hepml serve` (and Triton) load: config.pbtxt, 1/model.onnx, params.json
(TFaaS), specs.json."""
import json
from pathlib import Path

INPUT = "X"
OUTPUT = "probabilities"


def write(folder, name, onnx_bytes, width, specs, description, params=None):
    folder = Path(folder)
    (folder / "1").mkdir(parents=True, exist_ok=True)
    (folder / "1" / "model.onnx").write_bytes(onnx_bytes)
    (folder / "config.pbtxt").write_text(
        f'name: "{name}"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 0\n'
        f'input [{{\n  name: "{INPUT}"\n  data_type: TYPE_FP32\n  dims: [-1, {width}]\n}}]\n'
        f'output [{{\n  name: "{OUTPUT}"\n  data_type: TYPE_FP32\n  dims: [-1, 1]\n}}]\n')
    (folder / "params.json").write_text(json.dumps({
        "name": name, "model": "1/model.onnx", "input_node": INPUT, "output_node": OUTPUT,
        "description": description}, indent=1))
    (folder / "specs.json").write_text(json.dumps(specs, indent=1))
    if params is not None:
        (folder / "training_params.json").write_text(json.dumps(params, indent=1))
    return folder
