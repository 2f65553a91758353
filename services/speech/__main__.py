from services.common.grpc_server import run
from services.speech.server import SERVICE

run(SERVICE)
