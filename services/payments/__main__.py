from services.common.grpc_server import run
from services.payments.server import SERVICE

run(SERVICE)
