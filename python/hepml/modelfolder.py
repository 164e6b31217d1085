"""A model-repository folder that `hepml serve` (and Triton) load: config.pbtxt, 1/model.onnx, params.json
(TFaaS), specs.json."""
import json
from pathlib import Path

INPUT = "X"
OUTPUT = "probabilities"


def io_names(onnx_bytes):
    """(input name, output name) of an ONNX model (hepml's defaults when the onnx package is missing)."""
    try:
        import onnx
    except ImportError:
        return INPUT, OUTPUT
    graph = onnx.load_from_string(onnx_bytes).graph
    inits = {i.name for i in graph.initializer}
    inputs = [i.name for i in graph.input if i.name not in inits]
    return inputs[0], graph.output[0].name


def write(folder, name, onnx_bytes, width, specs, description, params=None):
    folder = Path(folder)
    input_name, output_name = io_names(onnx_bytes)
    (folder / "1").mkdir(parents=True, exist_ok=True)
    (folder / "1" / "model.onnx").write_bytes(onnx_bytes)
    (folder / "config.pbtxt").write_text(
        f'name: "{name}"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 0\n'
        f'input [{{\n  name: "{input_name}"\n  data_type: TYPE_FP32\n  dims: [-1, {width}]\n}}]\n'
        f'output [{{\n  name: "{output_name}"\n  data_type: TYPE_FP32\n  dims: [-1, 1]\n}}]\n')
    (folder / "params.json").write_text(json.dumps({
        "name": name, "model": "1/model.onnx", "input_node": input_name, "output_node": output_name,
        "description": description}, indent=1))
    (folder / "specs.json").write_text(json.dumps(specs, indent=1))
    if params is not None:
        (folder / "training_params.json").write_text(json.dumps(params, indent=1))
    return folder
