from services.common.grpc_server import run
from services.messaging.server import SERVICE

run(SERVICE)
