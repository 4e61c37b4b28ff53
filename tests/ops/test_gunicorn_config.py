"""config/gunicorn.py's worker hook: each worker freezes what it holds once the app is loaded,
unless GUNICORN_GC_FREEZE says off (docs/performance.md, gunicorn defaults)."""

import gc
import runpy
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "config" / "gunicorn.py"


@pytest.fixture
def unfrozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


@pytest.mark.parametrize(("setting", "frozen"), [(None, True), ("on", True), ("off", False), ("0", False)])
def test_a_worker_freezes_its_loaded_objects_unless_told_not_to(
    unfrozen, monkeypatch, tmp_path, setting, frozen
):
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))  # else the config sets it for good
    if setting is None:
        monkeypatch.delenv("GUNICORN_GC_FREEZE", raising=False)
    else:
        monkeypatch.setenv("GUNICORN_GC_FREEZE", setting)
    config = runpy.run_path(str(CONFIG))
    config["post_worker_init"](worker=None)
    assert (gc.get_freeze_count() > 10_000) is frozen
