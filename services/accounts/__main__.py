from services.accounts.server import SERVICE
from services.common.grpc_server import run

run(SERVICE)
