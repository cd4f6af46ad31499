"""Atomic writes, checkpoint safety, record validation."""

from __future__ import annotations

import json
import os

import pytest
import torch

from gan3d_bench import atomic, records
from gan3d_bench.errors import UserError
from gan3d_bench.training import checkpoint


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "table.md"
    atomic.write_text(target, "old")

    def failing_writer(handle):
        handle.write(b"half of the new")
        raise RuntimeError("crash mid-write")

    with pytest.raises(RuntimeError), atomic.atomic_open(target) as handle:
        failing_writer(handle)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["table.md"]


def test_permission_error_is_a_clear_user_error(tmp_path, monkeypatch):
    # simulated: the tests may run as root, which ignores folder permissions
    atomic.write_text(tmp_path / "record.json", "{}")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", denied)
    with pytest.raises(UserError, match=r"cannot write .*record\.json: permission denied; "
                                        r"choose a writable folder"):
        atomic.write_text(tmp_path / "record.json", "new")
    with pytest.raises(UserError, match="permission denied"):
        atomic.check_writable(tmp_path / "results")
    assert (tmp_path / "record.json").read_text() == "{}"


def test_full_disk_is_reported_and_loses_nothing(tmp_path, monkeypatch):
    target = tmp_path / "record.json"
    atomic.write_text(target, "kept")

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(UserError, match="no space left on the device while writing"):
        atomic.write_text(target, "lost")
    assert target.read_text() == "kept"
    assert [p.name for p in tmp_path.iterdir()] == ["record.json"]


def test_written_files_get_the_usual_permissions(tmp_path):
    atomic.write_text(tmp_path / "a.txt", "x")
    assert (tmp_path / "a.txt").stat().st_mode & 0o044  # readable by group/others (umask)


def test_corrupt_or_foreign_checkpoints_are_clear_errors(tmp_path):
    path = tmp_path / checkpoint.CHECKPOINT_FILE
    path.write_bytes(b"not a checkpoint at all")
    with pytest.raises(UserError, match=r"is corrupt or unreadable.*delete it"):
        checkpoint.load(tmp_path)
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(UserError, match="not a gan3d-bench checkpoint"):
        checkpoint.load(tmp_path)


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


def test_checkpoints_are_loaded_with_weights_only(tmp_path):
    with open(tmp_path / checkpoint.CHECKPOINT_FILE, "wb") as handle:
        torch.save({"format": 1, "payload": Evil()}, handle, pickle_protocol=2)
    with pytest.raises(UserError, match="corrupt or unreadable"):
        checkpoint.load(tmp_path)


def _record(**changes):
    record = records.new_record(
        run_id="r", experiment="e", components={"generator": {
            "name": "g", "kind": "generators", "distribution": "d", "version": "1"}},
        dataset={"name": "toy"}, settings={"resolution": 32, "seed": 0, "steps": 5},
        budget="quick", device="cpu", world_size=1, command={})
    record.update(changes)
    return record


def test_records_round_trip_and_validate(tmp_path):
    records.write(tmp_path, _record())
    assert records.read(tmp_path)["experiment"] == "e"
    assert records.validate(_record()) == []
    assert "missing 'seed'" in records.validate({k: v for k, v in _record().items()
                                                 if k != "seed"})
    assert any("status" in p for p in records.validate(_record(status="odd")))
    assert any("'steps' should be int" in p for p in records.validate(_record(steps="5")))
    assert any("metric 'kid'" in p for p in records.validate(_record(metrics={"kid": 1.0})))


def test_corrupt_record_is_a_clear_error(tmp_path):
    (tmp_path / records.RECORD_FILE).write_text('{"run_id": ')
    with pytest.raises(records.RecordError, match="is corrupt"):
        records.read(tmp_path)
    (tmp_path / records.RECORD_FILE).write_text(json.dumps({"run_id": "x"}))
    with pytest.raises(records.RecordError, match="does not match the run-record schema"):
        records.read(tmp_path)
