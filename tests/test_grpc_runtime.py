"""The shared gRPC bootstrap: errors never leak internals, aborts pass through,
and SIGTERM drains in-flight calls before the process exits."""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2

from devtools.devstack import spawn, stop_children, wait_serving
from devtools.embedded import free_port
from services.common.grpc_clients import error_info
from tests.fixtures.slow_service import FULL_NAME

pytestmark = pytest.mark.stack  # a real service process on a real port

_Message = health_pb2.HealthCheckRequest


METRICS_PORT = free_port()


def _start(metrics_port: int = 0) -> tuple[subprocess.Popen[bytes], str]:
    addr = f"127.0.0.1:{free_port()}"
    env = dict(os.environ, SPEECH_ADDR=addr, GRPC_BIND_HOST="127.0.0.1", GRPC_SHUTDOWN_GRACE_SECONDS="5")
    env["ENVIRONMENT"] = "development"  # unsigned test calls; production needs SERVICE_TOKEN_SECRET
    env["METRICS_PORT"] = str(metrics_port)
    proc = spawn("tests.fixtures.slow_service", env)
    wait_serving("slow", addr, proc)
    return proc, addr


def _call(channel: grpc.Channel, method: str, arg: str = "", timeout: float = 5) -> _Message:
    rpc = channel.unary_unary(
        f"/{FULL_NAME}/{method}",
        request_serializer=_Message.SerializeToString,
        response_deserializer=_Message.FromString,
    )
    return rpc(_Message(service=arg), timeout=timeout)


@pytest.fixture(scope="module")
def slow() -> Iterator[grpc.Channel]:
    proc, addr = _start(METRICS_PORT)
    with grpc.insecure_channel(addr) as channel:
        yield channel
    stop_children({"slow": proc})


def test_unexpected_exception_becomes_internal_without_details(slow: grpc.Channel) -> None:
    with pytest.raises(grpc.RpcError) as info:
        _call(slow, "Crash")
    assert info.value.code() == grpc.StatusCode.INTERNAL
    assert info.value.details() == "internal error"


def test_not_implemented_is_unimplemented_without_internals(slow: grpc.Channel) -> None:
    with pytest.raises(grpc.RpcError) as info:
        _call(slow, "Unfinished")
    assert info.value.code() == grpc.StatusCode.UNIMPLEMENTED
    assert info.value.details() == f"/{FULL_NAME}/Unfinished is not implemented yet"


def test_abort_keeps_its_status(slow: grpc.Channel) -> None:
    with pytest.raises(grpc.RpcError) as info:
        _call(slow, "Refuse")
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert info.value.details() == "dates unavailable"


def test_domain_error_is_mapped_once_with_its_reason(slow: grpc.Channel) -> None:
    with pytest.raises(grpc.RpcError) as info:
        _call(slow, "Taken")
    assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    assert info.value.details() == "Esas fechas ya están tomadas."
    reason = error_info(info.value)
    assert reason is not None
    assert (reason.reason, reason.domain, dict(reason.metadata)) == ("DATES_TAKEN", "cabanas", {"code": "AB12"})


def test_stream_error_after_first_message_becomes_internal(slow: grpc.Channel) -> None:
    rpc = slow.unary_stream(
        f"/{FULL_NAME}/StreamCrash",
        request_serializer=_Message.SerializeToString,
        response_deserializer=_Message.FromString,
    )
    received = []
    with pytest.raises(grpc.RpcError) as info:
        for message in rpc(_Message(), timeout=5):
            received.append(message.service)
    assert received == ["first"]
    assert info.value.code() == grpc.StatusCode.INTERNAL
    assert "hunter2" not in (info.value.details() or "")


def test_rpc_metrics_count_codes(slow: grpc.Channel) -> None:
    for method in ("Crash", "Refuse"):
        with pytest.raises(grpc.RpcError):
            _call(slow, method)
    _call(slow, "Sleep", "0")
    text = httpx.get(f"http://127.0.0.1:{METRICS_PORT}/metrics").text
    assert f'grpc_server_handled_total{{code="INTERNAL",method="/{FULL_NAME}/Crash"}}' in text
    assert f'grpc_server_handled_total{{code="FAILED_PRECONDITION",method="/{FULL_NAME}/Refuse"}}' in text
    assert f'grpc_server_handled_total{{code="OK",method="/{FULL_NAME}/Sleep"}}' in text


def test_sigterm_drains_in_flight_calls() -> None:
    proc, addr = _start()
    try:
        with grpc.insecure_channel(addr) as channel, ThreadPoolExecutor(1) as pool:
            in_flight = pool.submit(_call, channel, "Sleep", "1.5")
            time.sleep(0.5)
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            with pytest.raises(grpc.RpcError) as refused:  # no new work once draining
                _call(channel, "Sleep", "0", timeout=1)
            assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
            assert in_flight.result(timeout=10).service == "slept"
        assert proc.wait(timeout=10) == 0
    finally:
        stop_children({"slow": proc})
