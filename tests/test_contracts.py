"""The committed stubs are what `make proto` generates from proto/, and every
RPC, message, field and enum value of the contract is documented."""

import os
import subprocess
import sys
from pathlib import Path

from google.protobuf import descriptor_pb2

ROOT = Path(__file__).resolve().parents[1]
PROTOS = sorted((ROOT / "proto/cabanas/v1").glob("*.proto"))


def _protoc(*args: str) -> None:
    # protoc-gen-mypy_grpc (mypy-protobuf) sits beside this interpreter.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    command = [sys.executable, "-m", "grpc_tools.protoc", "-I", str(ROOT / "proto"), *args, *map(str, PROTOS)]
    subprocess.run(command, check=True, env={**os.environ, "PATH": path})


def test_committed_stubs_are_fresh(tmp_path: Path) -> None:
    _protoc(*(f"--{kind}_out={tmp_path}" for kind in ("python", "pyi", "grpc_python", "mypy_grpc")))
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.py*"))
    assert len(generated) == 4 * len(PROTOS)
    stale = [str(p) for p in generated if (tmp_path / p).read_bytes() != (ROOT / p).read_bytes()]
    assert not stale, f"run `make proto`: {stale}"


def _undocumented(file: descriptor_pb2.FileDescriptorProto) -> list[str]:
    documented = {tuple(loc.path) for loc in file.source_code_info.location if loc.leading_comments.strip()}
    missing: list[str] = []

    def need(path: tuple[int, ...], name: str) -> None:
        if path not in documented:
            missing.append(f"{file.name}: {name}")

    def message(msg: descriptor_pb2.DescriptorProto, path: tuple[int, ...], prefix: str) -> None:
        need(path, prefix + msg.name)
        for i, f in enumerate(msg.field):
            need((*path, 2, i), f"{prefix}{msg.name}.{f.name}")
        for i, nested in enumerate(msg.nested_type):
            if not nested.options.map_entry:
                message(nested, (*path, 3, i), f"{prefix}{msg.name}.")
        for i, enum in enumerate(msg.enum_type):
            enumeration(enum, (*path, 4, i), f"{prefix}{msg.name}.")

    def enumeration(enum: descriptor_pb2.EnumDescriptorProto, path: tuple[int, ...], prefix: str) -> None:
        need(path, prefix + enum.name)
        for i, value in enumerate(enum.value):
            need((*path, 2, i), f"{prefix}{enum.name}.{value.name}")

    for i, msg in enumerate(file.message_type):
        message(msg, (4, i), "")
    for i, enum in enumerate(file.enum_type):
        enumeration(enum, (5, i), "")
    for i, service in enumerate(file.service):
        need((6, i), service.name)
        for j, method in enumerate(service.method):
            need((6, i, 2, j), f"{service.name}.{method.name}")
    return missing


def test_every_contract_element_is_documented(tmp_path: Path) -> None:
    out = tmp_path / "contracts.pb"
    _protoc("--include_source_info", f"--descriptor_set_out={out}")
    files = descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes()).file
    assert {f.name for f in files} == {f"cabanas/v1/{p.name}" for p in PROTOS}
    missing = [item for f in files for item in _undocumented(f)]
    assert not missing, missing


def test_contract_covers_every_service_rpc() -> None:
    from cabanas.v1 import booking_pb2, calendar_pb2, messaging_pb2, payments_pb2, speech_pb2

    def methods(module: object, service: str) -> set[str]:
        return set(module.DESCRIPTOR.services_by_name[service].methods_by_name)  # type: ignore[attr-defined]

    assert {
        "CreateAccommodation",
        "UpdateAccommodation",
        "GetAccommodation",
        "ListAccommodations",
        "CheckAvailability",
        "Quote",
        "PreReserve",
        "ConfirmReservation",
        "CancelReservation",
        "GetReservation",
        "ListReservations",
        "ExpireDue",
        "SyncExternalBlocks",
        "StreamEvents",
    } <= methods(booking_pb2, "BookingService")
    assert {"HandleWhatsAppWebhook", "ParseText", "GetConversation", "ListOutbox"} <= methods(
        messaging_pb2, "MessagingService"
    )
    assert {"CreatePaymentLink", "HandleNotification", "GetPayment", "ListPayments"} <= methods(
        payments_pb2, "PaymentsService"
    )
    assert methods(speech_pb2, "SpeechService") == {"Transcribe"}
    assert {"AddFeed", "ListFeeds", "RemoveFeed", "SyncFeed", "SyncAll", "ExportCalendar", "ExportUrl"} <= methods(
        calendar_pb2, "CalendarService"
    )
    assert booking_pb2.DESCRIPTOR.services_by_name["BookingService"].methods_by_name["StreamEvents"].server_streaming
