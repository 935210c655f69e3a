"""Bundle mode names a record by id only while the server holds exactly the local record.

The decision must depend on the local records, never on a stale or changed copy on the server:
a record edited locally goes inline, and a record that changes on the server while govern is
deciding (a bundle service publishing a new bundle) makes the answer unusable (exit 3).
"""

from __future__ import annotations

import time
from pathlib import Path

import requests

from govern.backends import DecisionRequest
from govern.backends.native import NativeBackend
from govern.backends.opa import OpaBackend
from govern.loading.catalog import Catalog, bundled_root, load_catalog
from govern.rego.bundle import build_bundle
from tests.opa.fake_opa import TamperingProxy
from tests.opa.log_service import LocalService
from tests.opa.opa_binary import OpaServer
from tests.support import AS_OF, REPO, RunLine, write

BUNDLE_PATH = "/bundles/govern.tar.gz"
WAIT_SECONDS = 30.0
POLLING_CONFIG = """\
services:
  govern-bundles:
    url: {url}
bundles:
  govern:
    service: govern-bundles
    resource: bundles/govern.tar.gz
    polling:
      min_delay_seconds: 1
      max_delay_seconds: 1
"""


def renamed_glm(root: Path, name: str) -> Catalog:
    """The bundled catalog with GLM-5.2's card replaced by one whose ``name`` differs."""
    card = (REPO / "model_cards" / "glm-5.2.yaml").read_text(encoding="utf-8")
    assert "\nname: GLM-5.2\n" in card
    write(root / "model_cards" / "glm-5.2.yaml", card.replace("\nname: GLM-5.2\n",
                                                              f"\nname: {name}\n"))
    return load_catalog([bundled_root(), root])


def test_a_record_edited_locally_is_sent_inline(bundle_server: OpaServer, tmp_path: Path) -> None:
    local = renamed_glm(tmp_path, "GLM-5.2 (our review)")
    request = [DecisionRequest(local.models["glm-5.2"], local.tasks["refactoring"],
                               local.profiles["eu-regulated-enterprise"])]
    decided = OpaBackend(bundle_server.url, mode="bundle").decide(request, local.policy_set, AS_OF)
    assert decided == NativeBackend().decide(request, local.policy_set, AS_OF)
    # the card's name is in a message: the server decided with the local card, not its own
    messages = [f.message for o in decided[0].options for f in o.findings]
    assert any("GLM-5.2 (our review)" in m for m in messages), messages


def test_a_record_changing_on_the_server_mid_query_is_exit_3(
        run_line: RunLine, opa_bin: Path, catalog: Catalog, tmp_path: Path) -> None:
    service = LocalService({BUNDLE_PATH: build_bundle(catalog)})
    newer = build_bundle(renamed_glm(tmp_path / "newer", "GLM-5.2 republished"))
    (tmp_path / "opa.yaml").write_text(POLLING_CONFIG.format(url=service.url), encoding="utf-8")

    def publish_and_wait(upstream: str) -> None:
        """The bundle service publishes a new bundle (same policy set, another GLM-5.2 card)
        just before govern's query; wait, bounded, until OPA has activated it."""
        service.serve(BUNDLE_PATH, newer)
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            held = requests.get(f"{upstream}/v1/data/govern/catalog/model_cards/glm-5.2/name",
                                timeout=10).json()
            if held.get("result") == "GLM-5.2 republished":
                return
            time.sleep(0.2)
        raise AssertionError("OPA did not activate the new bundle in time")

    try:
        with OpaServer(opa_bin, "--config-file", str(tmp_path / "opa.yaml")) as server, \
                TamperingProxy(server.url, before=publish_and_wait) as proxy:
            result = run_line(["evaluate", "--model", "glm-5.2", "--task", "refactoring",
                               "--as-of", AS_OF.isoformat(), "--engine", "opa", "--opa-url",
                               proxy.url, "--opa-mode", "bundle"])
    finally:
        service.close()
    assert result.exit_code == 3 and result.stdout == "", (result.stdout, result.stderr)
    assert "the catalog on the server changed while govern was deciding: " in result.stderr
    assert "data.govern.catalog.model_cards['glm-5.2'].name is \"GLM-5.2 republished\"" \
        in result.stderr, result.stderr
