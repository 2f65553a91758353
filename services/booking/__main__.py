from services.booking.server import SERVICE
from services.common.grpc_server import run

run(SERVICE)
