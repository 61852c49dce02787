"""The README's API examples, run as written against a live server on the real data."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from app.settings import REPO_ROOT

pytestmark = pytest.mark.realdata
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
API = README.split("## API", 1)[1].split("\n## ", 1)[0]
BLOCKS = re.findall(r"```sh\n(.*?)```", API, flags=re.DOTALL)


def test_the_api_section_has_examples() -> None:
    assert len(BLOCKS) >= 2 and all("curl" in block for block in BLOCKS)


@pytest.mark.parametrize("block", BLOCKS)
def test_readme_example_runs(live_url: str, block: str, tmp_path) -> None:
    if shutil.which("ogrinfo") is None and "ogrinfo" in block:
        pytest.skip("ogrinfo (gdal-bin) absent")
    (tmp_path / ".curlrc").write_text("fail\nshow-error\n")  # any HTTP error fails the block
    script = "set -euo pipefail\n" + block.replace("http://127.0.0.1:8000", live_url)
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "CURL_HOME": str(tmp_path), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
