"""The web page in a real browser: headless Chromium (Debian's chromium + chromium-driver) driven by selenium.

It loads `/`, lists the models, opens model pages with their graph SVG (node counts compared with the `onnx`
package's reading of the same file), uploads models through the form with the token (one file, one tarball),
sees them appear, tags one, runs "try it" (answer compared with the reference outputs), reads the metrics panel,
deletes through the button, and checks the page on a phone-sized window. Screenshots are saved under
Tests/Integration/artifacts/web/ (git-ignored). Every page must leave no console errors.
"""
import json
import shutil
import tarfile
from pathlib import Path

import pytest
import requests

from conftest import MODELS, PROJECT_ROOT, TRITON_REPO, Server, assert_close, build_main_repository, load_reference, write_tfaas_folder

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = PROJECT_ROOT / "Tests" / "Integration" / "artifacts" / "web"
WAIT = 20

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="Debian's chromium and chromium-driver are not installed")


@pytest.fixture(scope="module")
def web_server(tmp_path_factory):
    """Its own server (uploads and deletes here do not disturb other tests): particlenet_AK4 (Triton layout),
    mlp (bare version), image28 (TFaaS layout)."""
    root = tmp_path_factory.mktemp("hepml-web")
    srv = Server(build_main_repository(root), root / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def browser():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--no-first-run", "--disable-extensions", "--disable-background-networking"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(60)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver) -> list:
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def shot(driver, name: str):
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


def wait(driver):
    return WebDriverWait(driver, WAIT)


def set_token(driver, token: str):
    field = driver.find_element(By.ID, "token")
    field.clear()
    field.send_keys(token)
    driver.execute_script("arguments[0].dispatchEvent(new Event('change'));", field)


def listed_models(driver) -> list:
    """Model names in the list (read in one script call, so a page reload in between cannot break it)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#model-list tbody tr[data-model]')).map(r => r.dataset.model);") or []


def text_of(driver, element_id: str) -> str:
    """An element's text read in one script call ("" while the page reloads)."""
    return driver.execute_script("const e = document.getElementById(arguments[0]); return e ? e.innerText : '';", element_id) or ""


def onnx_node_counts(path: Path) -> tuple:
    """(graph inputs that are not initializers, operators other than Constant, outputs) as the onnx package
    reads the file."""
    import onnx
    g = onnx.load(str(path)).graph
    weights = {i.name for i in g.initializer}
    ops = [n for n in g.node if not (n.op_type == "Constant" and n.domain in ("", "ai.onnx"))]
    return len([i for i in g.input if i.name not in weights]), len(ops), len(g.output)


def test_model_list(browser, web_server):
    browser.get(web_server.url + "/")
    wait(browser).until(EC.presence_of_element_located((By.ID, "model-list")))
    assert browser.title == "Models · hepml"
    assert listed_models(browser) == ["image28", "mlp", "particlenet_AK4"]
    row = browser.find_element(By.CSS_SELECTOR, '#model-list tr[data-model="particlenet_AK4"]')
    assert "onnxruntime_onnx" in row.text and "READY" in row.text
    # Every form control has a label (accessible names), and the page has one h1 and a main landmark.
    unlabelled = browser.execute_script(
        "return Array.from(document.querySelectorAll('input, select, textarea'))"
        ".filter(e => e.type !== 'hidden' && e.labels.length === 0).map(e => e.id || e.name);")
    assert unlabelled == []
    assert len(browser.find_elements(By.TAG_NAME, "h1")) == 1 and browser.find_elements(By.TAG_NAME, "main")
    shot(browser, "01-model-list")
    assert console_errors(browser) == []


def test_model_page_with_graph(browser, web_server):
    browser.get(web_server.url + "/")
    browser.find_element(By.LINK_TEXT, "particlenet_AK4").click()
    svg = wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.model-graph")))
    assert browser.current_url.endswith("/ui/models/particlenet_AK4")
    inputs, ops, outputs = onnx_node_counts(TRITON_REPO / "particlenet_AK4" / "1" / "model.onnx")
    assert len(svg.find_elements(By.CSS_SELECTOR, "g.graph-node.kind-input")) == inputs
    assert len(svg.find_elements(By.CSS_SELECTOR, "g.graph-node.kind-output")) == outputs
    assert len(svg.find_elements(By.CSS_SELECTOR, "g.graph-node")) == inputs + ops + outputs
    assert len(svg.find_elements(By.CSS_SELECTOR, "path.graph-edge")) >= ops
    # Top-down: every edge ends below where it starts.
    backwards = browser.execute_script(
        "return Array.from(document.querySelectorAll('path.graph-edge')).filter(p => {"
        " const n = p.getTotalLength(); return p.getPointAtLength(n).y <= p.getPointAtLength(0).y; }).length;")
    assert backwards == 0
    labels = [l for l in (TRITON_REPO / "particlenet_AK4" / "particlenet_labels.txt").read_text().splitlines() if l]
    assert [li.text for li in browser.find_elements(By.CSS_SELECTOR, "ol.labels li")] == labels
    tensors = browser.find_element(By.ID, "tensor-table").text
    assert "pf_points" in tensors and "FP32" in tensors and "softmax" in tensors
    assert "ai.onnx 11" in browser.find_element(By.ID, "model-facts").text
    shot(browser, "02-model-page-particlenet")
    assert console_errors(browser) == []


def test_upload_try_tag_delete(browser, web_server, tmp_path):
    ref = load_reference("sklearn-mlp")
    browser.get(web_server.url + "/")
    set_token(browser, web_server.token)
    # One model file through the form fields.
    browser.find_element(By.ID, "upload-name").send_keys("webmlp")
    browser.find_element(By.ID, "upload-model").send_keys(str(MODELS / "sklearn-mlp" / "model.onnx"))
    browser.find_element(By.ID, "upload-description").send_keys("MLP <uploaded> from the browser")
    browser.find_element(By.ID, "upload-button").click()
    wait(browser).until(lambda d: "webmlp" in listed_models(d))
    wait(browser).until(lambda d: "Uploaded model 'webmlp'" in text_of(d, "flash"))
    # A model folder as a tarball.
    folder = write_tfaas_folder(tmp_path / "src" / "webdense", MODELS / "tfaas-dense42", name="webdense")
    bundle = tmp_path / "webdense.tar.gz"
    with tarfile.open(bundle, "w:gz") as tar:
        tar.add(folder, arcname="webdense")
    browser.find_element(By.ID, "upload-tarball").send_keys(str(bundle))
    browser.find_element(By.ID, "upload-button").click()
    wait(browser).until(lambda d: "webdense" in listed_models(d))
    assert set(m["name"] for m in requests.get(web_server.url + "/models", timeout=10).json()) >= {"webmlp", "webdense"}
    shot(browser, "03-after-upload")
    assert console_errors(browser) == []

    # Try it on the uploaded MLP with the reference inputs.
    browser.find_element(By.LINK_TEXT, "webmlp").click()
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.model-graph")))
    assert "MLP <uploaded> from the browser" in browser.find_element(By.CLASS_NAME, "description").text
    request = {"inputs": ref["inputs"]}
    box = browser.find_element(By.ID, "try-request")
    browser.execute_script("arguments[0].value = arguments[1];", box, json.dumps(request))
    browser.find_element(By.ID, "try-button").click()
    wait(browser).until(lambda d: '"outputs"' in text_of(d, "try-answer"))
    answer = json.loads(browser.find_element(By.ID, "try-answer").text)
    got = {o["name"]: o["data"] for o in answer["outputs"]}
    for out in ref["outputs"]:
        assert_close(got[out["name"]], out["data"], ref.get("tolerance", {"abs": 1e-5, "rel": 1e-5}), what=out["name"])
    # The metrics panel counts that request (it refreshes every 5 s).
    wait(browser).until(lambda d: "v2/infer" in text_of(d, "metrics-table"))
    # The scheduler's panel shows the run of that request.
    wait(browser).until(lambda d: "webmlp" in text_of(d, "batching-table"))
    browser.execute_script("document.getElementById('try-answer').scrollIntoView();")
    shot(browser, "04-try-it")

    # Tag version 1 as production.
    browser.find_element(By.ID, "tag-name").send_keys("production")
    browser.find_element(By.CSS_SELECTOR, "#tag-form button").click()
    wait(browser).until(lambda d: "production" in text_of(d, "version-table"))
    assert requests.get(web_server.url + "/v2/models/webmlp/versions/production/ready", timeout=10).status_code == 200
    assert console_errors(browser) == []

    # Delete through the button (confirmed in the dialog).
    browser.find_element(By.ID, "delete-button").click()
    wait(browser).until(EC.alert_is_present())
    browser.switch_to.alert.accept()
    wait(browser).until(lambda d: d.current_url.rstrip("/") == web_server.url and "webmlp" not in listed_models(d))
    wait(browser).until(lambda d: "Deleted model 'webmlp'" in text_of(d, "flash"))
    assert "webmlp" not in [m["name"] for m in requests.get(web_server.url + "/models", timeout=10).json()]
    shot(browser, "05-after-delete")
    assert console_errors(browser) == []


def test_upload_without_token_is_refused_on_the_page(browser, web_server):
    browser.get(web_server.url + "/")
    set_token(browser, "")
    browser.find_element(By.ID, "upload-name").send_keys("notoken")
    browser.find_element(By.ID, "upload-model").send_keys(str(MODELS / "sklearn-mlp" / "model.onnx"))
    browser.find_element(By.ID, "upload-button").click()
    wait(browser).until(lambda d: "HTTP 401" in text_of(d, "upload-status"))
    assert "notoken" not in listed_models(browser)
    # The browser reports the refused request itself; nothing else may be logged.
    assert [e for e in console_errors(browser) if "401" not in e.get("message", "")] == []


def test_tree_and_lwtnn_models_and_phone_layout(browser, web_server):
    repo = web_server.repository
    (repo / "deepcsv").mkdir()
    shutil.copy(MODELS / "lwtnn-deepcsv-phasei" / "model.json", repo / "deepcsv" / "model.json")
    (repo / "deepcsv" / "params.json").write_text(json.dumps({"name": "deepcsv", "model": "model.json"}))
    r = requests.post(web_server.url + "/v2/repository/models/deepcsv/load", headers=web_server.auth(), timeout=60)
    assert r.status_code == 200, r.text
    browser.set_window_size(390, 844)
    try:
        browser.get(web_server.url + "/ui/models/deepcsv")
        svg = wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "svg.model-graph")))
        assert len(svg.find_elements(By.CSS_SELECTOR, "g.graph-node.kind-model")) == 1
        assert "lwtnn" in browser.find_element(By.ID, "model-facts").text.lower() or "lwtnn" in browser.page_source.lower()
        # Nothing wider than the phone's screen except inside the scrolling table and graph regions.
        overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
        assert overflow <= 1
        shot(browser, "06-phone-lwtnn")
        browser.get(web_server.url + "/")
        assert browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth;") <= 1
        shot(browser, "07-phone-list")
    finally:
        browser.set_window_size(1280, 1000)
    assert console_errors(browser) == []
