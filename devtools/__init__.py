"""Development tools: `make run` (devstack, with the embedded Postgres and Redis),
`make chat`, and the Mercado Pago sandbox with the gateway that serves it
(`python -m devtools.gateway`). Neither the services nor the gateway import
them (lint-imports), and the production image has none of them."""
